package model

import "time"

// SharePage is a shared site's public page (/s/{token}): the latest graded
// scan's grade, scores and finding titles, never evidence
// (docs/monitoring.md, "Sites"). Graded is false before the first graded scan.
type SharePage struct {
	Name       string
	Graded     bool
	Grade      string
	Score      int
	ScannedAt  time.Time
	Categories []ShareCategory
	Findings   []ShareFinding
}

// ShareCategory is one category score on a share page.
type ShareCategory struct {
	Name     string
	Score    int
	MaxScore int
	Grade    string
}

// ShareFinding is a finding as a share page shows it: title, severity, category.
type ShareFinding struct {
	Title    string
	Severity string
	Category string
}

// SharePanel is the site page's Share panel. Link and BadgeLink are set
// only on the answer to the form that made the token (it is shown once).
type SharePanel struct {
	Shared    bool
	CreatedAt *time.Time
	ShareURL  string
	RevokeURL string
	Link      string
	BadgeLink string
}
