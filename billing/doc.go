// Package billing holds the plan catalogue every limit check reads, and (with
// Stripe configured) keeps an account's plan in step with its subscription.
//
// The catalogue (plans.go) is the single source of quotas, rate limits,
// depths, concurrency and key limits; the accounts table stores only the
// plan id, so changing that column is all it takes for every limit to
// follow. Stripe price ids are deployment configuration (Config, Prices).
//
// Service sells the paid plans through Stripe Checkout (one Stripe customer
// per account, created on first use and stored in stripe_customer_id),
// opens the Customer Portal, and applies webhook events:
//
//   - every delivery is verified with the webhook secret; bad or missing
//     signatures, bodies that are not events and bodies over 1 MiB are
//     refused (4xx) before anything is read or written;
//   - the event id is recorded and the account changed in one transaction,
//     so a duplicate or a replay changes nothing;
//   - events are ordered by their created time against the account's
//     subscription_updated_at, so an older event never overrides a newer
//     state (ties within one second: a creation never overrides its update,
//     and nothing but the deletion follows a deletion);
//   - a subscription grants its price's plan while active, trialing or
//     past_due, and Free otherwise (unpaid, canceled, deleted, incomplete);
//   - event types it does not handle, and events for customers no account
//     knows, are acknowledged and ignored.
//
// The event's api_version is not required to match stripe-go's: the fields
// read here are decoded with tolerant local types that accept both the
// 2023-10-16 shapes and the 2025 ones, so the webhook endpoint's version can
// be moved in the dashboard without breaking billing.
package billing
