package scanner

import (
	"regexp"
	"strings"
	"time"
)

// Check ids of the exposure category.
const (
	idExposureServerVersion = "exposure.server-version"
	idExposurePoweredBy     = "exposure.powered-by"
	idExposureSecurityTxt   = "exposure.security-txt"
	idExposureSensitive     = "exposure.sensitive-files"
	idExposureDirListing    = "exposure.directory-listing"
)

// versionRE finds a version number in a product banner: "nginx/1.18.0",
// "Apache/2.4.41", "PHP/8.1", "Microsoft-IIS/10.0", "Express 4.17".
var versionRE = regexp.MustCompile(`(?:/|\s|\(|^)v?\d+(?:\.\d+)+|/\d+\b`)

// checkExposureServerVersion: an exact server version tells attackers
// which published vulnerabilities to try, for free and without noise.
var checkExposureServerVersion = Check{
	ID: idExposureServerVersion, Name: "Server version disclosure", Category: catExposure, Depth: Quick, Weight: 2,
	Needs: []EvidenceKind{NeedPage},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idExposureServerVersion)
		if ev.Page == nil {
			return missing("The main page", ev.PageErr)
		}
		srv, ok := headerJoined(ev.Page, "Server")
		if !ok || strings.TrimSpace(srv) == "" {
			return o.Pass(1, "no Server header", "The server does not announce itself.")
		}
		if !versionRE.MatchString(srv) {
			return o.Pass(1, "Server: "+clip(srv, 120), "The Server header names the software but not its version.")
		}
		d := "The Server header gives the exact software version (" + clip(srv, 80) + "), so attackers can look up its known vulnerabilities."
		return o.Warn(0, "Server: "+clip(srv, 120),
			d,
			o.Finding(SeverityLow, "Server version disclosed",
				d,
				fixServerVersion,
				srv))
	},
}

// poweredByHeaders are response headers that announce the application stack.
var poweredByHeaders = []string{"X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Generator", "X-Powered-CMS", "X-Runtime-Version"}

// checkExposurePoweredBy: X-Powered-By and friends advertise the language,
// framework and often their exact version, narrowing an attacker's search.
var checkExposurePoweredBy = Check{
	ID: idExposurePoweredBy, Name: "Technology disclosure (X-Powered-By…)", Category: catExposure, Depth: Quick, Weight: 2,
	Needs: []EvidenceKind{NeedPage},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idExposurePoweredBy)
		if ev.Page == nil {
			return missing("The main page", ev.PageErr)
		}
		var seen []string
		versioned := false
		for _, h := range poweredByHeaders {
			if v, ok := headerJoined(ev.Page, h); ok && strings.TrimSpace(v) != "" {
				seen = append(seen, h+": "+clip(v, 80))
				if versionRE.MatchString(v) || h == "X-AspNet-Version" || h == "X-AspNetMvc-Version" {
					versioned = true
				}
			}
		}
		if len(seen) == 0 {
			return o.Pass(1, "no X-Powered-By or version headers", "The response does not advertise the application stack.")
		}
		v := strings.Join(seen, "; ")
		fix := fixPoweredBy
		score, d := 0.5, "The response names the technology behind the site ("+clip(v, 120)+"), helping attackers pick exploits."
		if versioned {
			score, d = 0, "The response gives the application stack with its version ("+clip(v, 120)+"), so attackers can match known vulnerabilities."
		}
		return o.Warn(score, clip(v, 250), d, o.Finding(SeverityLow, "Technology disclosed in headers", d, fix, v))
	},
}

// securityTxt is what the security.txt check reads from the file.
type securityTxt struct {
	Contacts []string
	Expires  []string
}

func parseSecurityTxt(body []byte) securityTxt {
	var s securityTxt
	for _, line := range strings.Split(string(body), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || strings.HasPrefix(line, "-----") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "contact":
			s.Contacts = append(s.Contacts, strings.TrimSpace(v))
		case "expires":
			s.Expires = append(s.Expires, strings.TrimSpace(v))
		}
	}
	return s
}

// checkExposureSecurityTxt: /.well-known/security.txt (RFC 9116) tells
// researchers how to report a vulnerability; without it, reports get lost
// or go public. Contact and a future Expires are required by the RFC.
var checkExposureSecurityTxt = Check{
	ID: idExposureSecurityTxt, Name: "security.txt", Category: catExposure, Depth: Standard, Weight: 2,
	Needs: []EvidenceKind{NeedSecTxt},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idExposureSecurityTxt)
		r := ev.SecurityTxt
		if r == nil {
			return missing("/.well-known/security.txt", ev.SecurityTxtErr)
		}
		now := ev.Now
		if now.IsZero() {
			now = time.Now()
		}
		example := &Fix{
			Advice: "Serve /.well-known/security.txt as text/plain with a Contact and an Expires field (Apache and Caddy serve it as a static file).",
			Snippets: []Snippet{
				{Server: ServerConfig, Code: "Contact: mailto:security@" + siteOf(ev.Target.Host) +
					"\nExpires: " + now.AddDate(1, 0, -1).UTC().Format("2006-01-02") + "T00:00:00Z\nPreferred-Languages: en"},
				{Server: ServerNginx, Code: "location = /.well-known/security.txt { default_type text/plain; }"},
			},
		}
		if !isSuccess(r) || looksHTML(r) {
			d := "No security.txt at /.well-known/security.txt, so researchers have no published way to report vulnerabilities."
			v := "not found"
			if isSuccess(r) {
				v = "an HTML page instead of security.txt"
			}
			return o.Warn(0, v, d, o.Finding(SeverityLow, "No security.txt", d, example, ""))
		}
		s := parseSecurityTxt(r.Body)
		var problems []string
		if len(s.Contacts) == 0 {
			problems = append(problems, "no Contact field")
		}
		switch len(s.Expires) {
		case 0:
			problems = append(problems, "no Expires field")
		case 1:
			t, err := parseRFC3339ish(s.Expires[0])
			switch {
			case err != nil:
				problems = append(problems, "Expires is not an RFC 3339 date ("+clip(s.Expires[0], 40)+")")
			case !t.After(now):
				problems = append(problems, "expired on "+t.UTC().Format("2006-01-02"))
			}
		default:
			problems = append(problems, "Expires given more than once")
		}
		if len(problems) > 0 {
			d := "security.txt exists but does not meet RFC 9116: " + strings.Join(problems, ", ") + "."
			return o.Warn(0.5, strings.Join(problems, ", "),
				d,
				o.Finding(SeverityLow, "security.txt incomplete or expired", d, example, clip(string(r.Body), 200)))
		}
		return o.Pass(1, "Contact: "+clip(s.Contacts[0], 80)+"; Expires: "+s.Expires[0],
			"security.txt tells researchers how to report vulnerabilities and is current.")
	},
}

// parseRFC3339ish accepts RFC 3339 dates with or without fractional seconds.
func parseRFC3339ish(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02T15:04:05Z0700", s)
}

// isDirectoryListing recognises auto-generated directory indexes of Apache,
// nginx, lighttpd, IIS, Python and Caddy by their title and parent link.
func isDirectoryListing(r *Response) bool {
	if !isSuccess(r) {
		return false
	}
	f := htmlOf(r)
	if !f.IsHTML {
		return false
	}
	t := strings.TrimSpace(f.Title)
	h := strings.TrimSpace(f.H1)
	switch {
	case strings.HasPrefix(t, "Index of /"), strings.HasPrefix(h, "Index of /"):
		return true
	case strings.HasPrefix(t, "Directory listing for /"):
		return true
	case f.ParentLink && strings.Contains(t, " - /"): // IIS: "host - /dir/"
		return true
	}
	return false
}

// checkExposureDirectoryListing: an open directory index shows every file
// in a folder, including backups, uploads and scripts never linked from
// the site.
var checkExposureDirectoryListing = Check{
	ID: idExposureDirListing, Name: "Directory listing", Category: catExposure, Depth: Standard, Weight: 1,
	Needs: []EvidenceKind{NeedPage, NeedCrawl, NeedProbes},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idExposureDirListing)
		pages := pagesOf(ev)
		if len(pages) == 0 && len(ev.Probes) == 0 {
			return missing("The main page", ev.PageErr)
		}
		found := map[string]bool{}
		for _, p := range pages {
			if isDirectoryListing(p) {
				found[p.URL] = true
			}
		}
		for path, p := range ev.Probes {
			if p != nil && isDirectoryListing(p) {
				u := p.URL
				if u == "" {
					u = path
				}
				found[u] = true
			}
		}
		checked := len(pages) + len(ev.Probes)
		if len(found) == 0 {
			return o.Pass(1, "no directory index among "+plural(checked, "page"),
				"None of the pages examined is an automatic directory index.")
		}
		urls := sortedKeys(found)
		d := "Automatic directory indexes are open (" + clip(strings.Join(urls, ", "), 150) + "): anyone can list and download every file in those folders."
		return o.Fail(0, clip(strings.Join(urls, ", "), 250),
			d,
			o.Finding(SeverityMedium, "Directory listing enabled",
				d,
				fixDirectoryListing,
				strings.Join(urls, "\n")))
	},
}

// Exposure fixes, built once.
var (
	fixServerVersion = &Fix{
		Advice: "Stop announcing the version, and keep the software patched: hiding the version is no substitute.",
		Snippets: []Snippet{
			{Server: ServerNginx, Code: "server_tokens off;"},
			{Server: ServerApache, Code: "ServerTokens Prod\nServerSignature Off"},
			{Server: ServerCaddy, Code: "header -Server"},
		},
	}
	fixPoweredBy = func() *Fix {
		f := headerRemoveFix("Stop sending these headers. PHP: expose_php = Off (php.ini); Express: app.disable('x-powered-by'); "+
			"ASP.NET: <httpRuntime enableVersionHeader=\"false\" /> and remove X-Powered-By in IIS.", "X-Powered-By")
		f.Snippets = append(f.Snippets, Snippet{Server: ServerConfig, Code: "<customHeaders><remove name=\"X-Powered-By\" /></customHeaders>"})
		return f
	}()
	fixDirectoryListing = &Fix{
		Advice: "Turn automatic directory indexes off (with Caddy, remove 'browse' from file_server).",
		Snippets: []Snippet{
			{Server: ServerNginx, Code: "autoindex off;"},
			{Server: ServerApache, Code: "Options -Indexes"},
		},
	}
)
