// Package sites keeps a tenant's sites: the normalised targets (scheme,
// host, port, path) its scans and monitors are of, with their history and
// trend (docs/monitoring.md, "Sites").
package sites

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/site"
)

// EnsureTx returns the id of the account's site for targetURL (already
// normalised by scanner.Validate), creating it when this is the target's
// first scan. It runs inside the caller's transaction (c is its client), so
// a scan and its implicit site are committed together; the unique index
// (account_id, target_key) makes concurrent first scans share one site.
func EnsureTx(ctx context.Context, c *ent.Client, accountID, targetURL, domain string, now time.Time) (string, error) {
	key, ok := scanner.TargetKey(targetURL)
	if !ok {
		return "", fmt.Errorf("site for %q: not a scannable URL", targetURL)
	}
	err := c.Site.Create().SetAccountID(accountID).SetTargetURL(targetURL).SetTargetKey(key).
		SetTargetDomain(domain).SetCreatedAt(now).SetUpdatedAt(now).
		OnConflictColumns(site.FieldAccountID, site.FieldTargetKey).DoNothing().Exec(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("recording the site: %w", err)
	}
	id, err := c.Site.Query().Where(site.AccountID(accountID), site.TargetKey(key)).OnlyID(ctx)
	if err != nil {
		return "", fmt.Errorf("reading the site: %w", err)
	}
	return id, nil
}
