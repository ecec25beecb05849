package sites

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/ent"
	"github.com/palisade/palisade/ent/finding"
	"github.com/palisade/palisade/ent/scan"
	"github.com/palisade/palisade/ent/site"
)

// shareTokenBytes is the share token's randomness: 256 bits, written as
// 43 base64url characters.
const shareTokenBytes = 32

// ShareStatus says whether a site is shared; it never carries the token.
type ShareStatus struct {
	Shared    bool       `json:"shared"`
	CreatedAt *time.Time `json:"createdAt,omitempty"`
}

// NewShare is a freshly made share token, shown once.
type NewShare struct {
	Token     string    `json:"token"`
	CreatedAt time.Time `json:"createdAt"`
}

// hashShareToken is what the sites table stores of a token.
func hashShareToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Share makes (or, when the site is already shared, replaces) the site's
// public share token: the old token stops working at once, because only
// the new one's hash is kept (docs/monitoring.md, "Sites").
func (s *Service) Share(ctx context.Context, accountID, id string) (*NewShare, error) {
	buf := make([]byte, shareTokenBytes)
	if _, err := rand.Read(buf); err != nil {
		return nil, fmt.Errorf("making a share token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(buf)
	now := s.now()
	n, err := s.db.Ent.Site.Update().Where(site.AccountID(accountID), site.ID(id)).
		SetShareTokenHash(hashShareToken(token)).SetShareCreatedAt(now).SetUpdatedAt(now).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("recording the share token: %w", err)
	}
	if n == 0 {
		return nil, errs.ErrNotFound
	}
	s.log.Info("site shared", "site_id", id, "account_id", accountID)
	return &NewShare{Token: token, CreatedAt: now}, nil
}

// Unshare revokes the site's share token; revoking an unshared site is a no-op.
func (s *Service) Unshare(ctx context.Context, accountID, id string) error {
	n, err := s.db.Ent.Site.Update().Where(site.AccountID(accountID), site.ID(id)).
		ClearShareTokenHash().ClearShareCreatedAt().SetUpdatedAt(s.now()).Save(ctx)
	if err != nil {
		return fmt.Errorf("revoking the share token: %w", err)
	}
	if n == 0 {
		return errs.ErrNotFound
	}
	s.log.Info("site unshared", "site_id", id, "account_id", accountID)
	return nil
}

// ShareStatus says whether the account's site is shared.
func (s *Service) ShareStatus(ctx context.Context, accountID, id string) (ShareStatus, error) {
	st, err := s.site(ctx, s.db.Read, accountID, id)
	if err != nil {
		return ShareStatus{}, err
	}
	if st.ShareTokenHash == nil {
		return ShareStatus{}, nil
	}
	return ShareStatus{Shared: true, CreatedAt: utcPtr(st.ShareCreatedAt)}, nil
}

// PublicCategory is one category score of a shared site's latest grade.
type PublicCategory struct {
	Name     string
	Score    int
	MaxScore int
	Grade    string
}

// PublicFinding is what a share page shows of a finding: never its
// evidence, description or fix, which can quote the site's secrets.
type PublicFinding struct {
	Title    string
	Severity string
	Category string
}

// PublicSite is a shared site's latest graded scan, as anyone with the
// link may see it. ScanID is "" when the site has no graded scan yet.
type PublicSite struct {
	Name       string
	ScanID     string
	Grade      string
	Score      int
	ScannedAt  time.Time
	Categories []PublicCategory
	Findings   []PublicFinding
}

// Public returns the shared site whose token this is, read only (a view
// writes nothing). An unknown or revoked token is ErrNotFound.
func (s *Service) Public(ctx context.Context, token string) (*PublicSite, error) {
	if token == "" || len(token) > 128 {
		return nil, errs.ErrNotFound
	}
	c := s.db.Read
	// The lookup is by the token's hash on a unique index; the row found
	// is compared again in constant time, as every stored secret hash is.
	want := hashShareToken(token)
	st, err := c.Site.Query().Where(site.ShareTokenHash(want)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if st.ShareTokenHash == nil || subtle.ConstantTimeCompare([]byte(*st.ShareTokenHash), []byte(want)) != 1 {
		return nil, errs.ErrNotFound
	}
	out := &PublicSite{Name: scanner.TargetLabel(st.TargetURL), Categories: []PublicCategory{}, Findings: []PublicFinding{}}
	if st.Label != "" {
		out.Name = st.Label
	}
	sc, err := c.Scan.Query().Where(scan.AccountID(st.AccountID), scan.SiteID(st.ID), scan.StatusEQ(domain.StatusCompleted),
		scan.OverallScoreNotNil(), scan.GradeNEQ("")).
		Order(ent.Desc(scan.FieldCreatedAt), ent.Desc(scan.FieldID)).First(ctx)
	if ent.IsNotFound(err) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	out.ScanID, out.Grade, out.Score = sc.ID, sc.Grade, *sc.OverallScore
	out.ScannedAt = sc.CreatedAt.UTC()
	if sc.CompletedAt != nil {
		out.ScannedAt = sc.CompletedAt.UTC()
	}
	if sc.Result != "" {
		var res scanner.Result
		if err := json.Unmarshal([]byte(sc.Result), &res); err == nil {
			for _, cat := range res.Categories {
				out.Categories = append(out.Categories, PublicCategory{Name: cat.Name, Score: cat.Score, MaxScore: cat.MaxScore, Grade: cat.Grade})
			}
		}
	}
	fs, err := c.Finding.Query().Where(finding.AccountID(st.AccountID), finding.ScanID(sc.ID)).
		Select(finding.FieldTitle, finding.FieldSeverity, finding.FieldCategory).
		Order(ent.Asc(finding.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		out.Findings = append(out.Findings, PublicFinding{Title: f.Title, Severity: f.Severity.String(), Category: f.Category})
	}
	return out, nil
}
