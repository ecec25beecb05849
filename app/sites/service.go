package sites

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/ids"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/monitor"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/ent/site"
)

// Service reads and manages an account's sites.
type Service struct {
	db      *db.DB
	scanner *scanner.Scanner
	log     *slog.Logger
	now     func() time.Time
}

// NewService wires the sites service; the scanner validates explicitly created sites' URLs.
func NewService(d *db.DB, sc *scanner.Scanner, log *slog.Logger) *Service {
	return &Service{db: d, scanner: sc, log: log, now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = func() time.Time { return now().UTC() } }

// MaxLabel is the longest label, in characters.
const MaxLabel = 100

// CleanLabel trims a label and checks it: at most MaxLabel bytes, no
// control characters (a label is printed in pages, e-mails and webhooks).
func CleanLabel(label string) (string, error) {
	label = strings.TrimSpace(label)
	if !utf8.ValidString(label) {
		return "", &errs.Validation{Field: "label", Message: "label must be UTF-8 text"}
	}
	// The column holds MaxLabel bytes (ent/schema/monitoring.go), so
	// letters outside ASCII, which take two to four, count for more.
	if len(label) > MaxLabel {
		return "", &errs.Validation{Field: "label", Message: fmt.Sprintf("label must be at most %d characters (fewer when they are not plain ASCII)", MaxLabel)}
	}
	for _, r := range label {
		if unicode.IsControl(r) {
			return "", &errs.Validation{Field: "label", Message: "label must not contain control characters such as line breaks or tabs"}
		}
	}
	return label, nil
}

// Create adds a site for rawURL, which must pass the scanner's address
// guard. The same target twice (scheme, host, port and path: scanner.TargetKey)
// is a Conflict naming the existing site: the unique index on (account_id,
// target_key) decides between concurrent creates, so exactly one wins.
func (s *Service) Create(ctx context.Context, accountID, rawURL, label string) (*ent.Site, error) {
	label, err := CleanLabel(label)
	if err != nil {
		return nil, err
	}
	rawURL = strings.TrimSpace(rawURL)
	if rawURL == "" {
		return nil, &errs.Validation{Field: "url", Message: "url is required, e.g. https://example.com"}
	}
	target, err := s.scanner.Validate(ctx, rawURL)
	if err != nil {
		if errors.Is(err, scanner.ErrRefused) {
			return nil, &errs.TargetRefused{Field: "url", Message: err.Error()}
		}
		return nil, err
	}
	key, ok := scanner.TargetKey(target.URL)
	if !ok {
		return nil, &errs.TargetRefused{Field: "url", Message: "the URL is not one Palisade can scan"}
	}
	now := s.now()
	// The id is chosen here so the row read back tells whether this call
	// inserted it or found the target's site.
	id := ids.New("sit")
	create := s.db.Ent.Site.Create().SetID(id).SetAccountID(accountID).SetTargetURL(target.URL).SetTargetKey(key).
		SetTargetDomain(target.Domain).SetCreatedAt(now).SetUpdatedAt(now)
	if label != "" {
		create = create.SetLabel(label)
	}
	err = create.OnConflictColumns(site.FieldAccountID, site.FieldTargetKey).DoNothing().Exec(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("recording the site: %w", err)
	}
	got, err := s.db.Ent.Site.Query().Where(site.AccountID(accountID), site.TargetKey(key)).Only(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the site: %w", err)
	}
	if got.ID != id {
		return nil, &errs.Conflict{Field: "url", Message: "this account already has a site for " + scanner.TargetLabel(got.TargetURL),
			Details: map[string]any{"siteId": got.ID}}
	}
	s.log.Info("site created", "site_id", got.ID, "account_id", accountID, "domain", got.TargetDomain)
	return got, nil
}

// site returns the account's site id; another account's is ErrNotFound.
func (s *Service) site(ctx context.Context, c *ent.Client, accountID, id string) (*ent.Site, error) {
	st, err := c.Site.Query().Where(site.AccountID(accountID), site.ID(id)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, errs.ErrNotFound
	}
	return st, err
}

// Delete removes the site and its monitor, in one transaction that also
// unlinks the site's scans: scans and their reports stay (docs/monitoring.md, "Sites").
func (s *Service) Delete(ctx context.Context, accountID, id string) error {
	err := s.db.InTxRetry(ctx, func(_ *sql.Tx, c *ent.Client) error {
		if _, err := s.site(ctx, c, accountID, id); err != nil {
			return err
		}
		if _, err := c.Scan.Update().Where(scan.AccountID(accountID), scan.SiteID(id)).ClearSiteID().Save(ctx); err != nil {
			return fmt.Errorf("unlinking the site's scans: %w", err)
		}
		// The foreign key cascades too; deleting the monitor here says so
		// on every engine, whatever its foreign-key settings.
		if _, err := c.Monitor.Delete().Where(monitor.AccountID(accountID), monitor.SiteID(id)).Exec(ctx); err != nil {
			return fmt.Errorf("deleting the site's monitor: %w", err)
		}
		_, err := c.Site.Delete().Where(site.AccountID(accountID), site.ID(id)).Exec(ctx)
		return err
	})
	if err != nil {
		return err
	}
	s.log.Info("site deleted", "site_id", id, "account_id", accountID)
	return nil
}
