// Package model is what the web handlers hand to the views: plain structs,
// filled by app/web from service results. Templates import only this,
// views/components, views/layouts and the standard library, so rendering
// never reaches a service, an Ent entity, Stripe or the job queue (a test
// in views/ enforces it). Every href a template prints is in here too,
// built by app/web from its route table by route name, so a path is written
// once, in app/web/routes.go.
package model

// Links are the hrefs of the routes that take no parameter: the navigation
// and the forms every page may carry. app/web builds them once from its
// route table; each request's page context carries them.
type Links struct {
	Home      string
	SignUp    string
	LogIn     string
	LogOut    string
	APIDocs   string
	Dashboard string
	ScanNew   string
	Reports   string
	Billing   string
	Checkout  string
	Portal    string
	Keys      string
	Settings  string
	Rename    string
	Password  string
	Delete    string
	Team      string
	Invite    string
	Sites     string
	// Webhooks is the owner's page of webhooks and deliveries.
	Webhooks string
}

// Pagination is where a list is, with the hrefs of its neighbouring pages
// (empty when there is none).
type Pagination struct {
	Page  int
	Pages int
	Total int
	// PrevURL and NextURL keep the list's filters.
	PrevURL string
	NextURL string
}

// Unlimited is a plan quota with no ceiling.
const Unlimited = -1

// Plan is a billing plan as the pages show it.
type Plan struct {
	ID                string
	Name              string
	PriceMonthlyUSD   int
	ScansPerMonth     int // Unlimited for no ceiling
	RequestsPerMinute int
	Depths            []string
	ConcurrentScans   int
	Paid              bool
	// Monitors is how many sites the plan watches; MonitorFrequencies and
	// MonitorDepths what they may use; MonitorRunsPerMonth the allowance of
	// monitor runs, separate from ScansPerMonth (docs/monitoring.md, "Plan limits").
	Monitors            int
	MonitorFrequencies  []string
	MonitorDepths       []string
	MonitorRunsPerMonth int // Unlimited for no ceiling
}
