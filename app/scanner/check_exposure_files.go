package scanner

import (
	"bytes"
	"cmp"
	"regexp"
	"slices"
	"strings"
)

// fileDetector recognises one kind of sensitive file by path and content.
type fileDetector struct {
	name     string
	sev      Severity
	capC     bool // the content is a secret in itself: cap the grade at C
	match    func(path string) bool
	confirm  func(body []byte) bool
	fix      *Fix
	redacted bool // evidence shows only structure (key names), never values
}

var (
	svnEntriesRE = regexp.MustCompile(`\A\d+\s*\n`)
	gitHeadRE    = regexp.MustCompile(`\A(?:ref: refs/[^\s]+|[0-9a-f]{40}|[0-9a-f]{64})\s*\z`)
	envLineRE    = regexp.MustCompile(`(?m)^[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_.]*[ \t]*=`)
	envKeyRE     = regexp.MustCompile(`(?m)^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.]*)[ \t]*=`)
	envSecretRE  = regexp.MustCompile(`(?i)pass|secret|key|token|database_url|dsn|credential`)
	htpasswdRE   = regexp.MustCompile(`(?m)^[^:\s<>]+:(?:\$apr1\$|\$2[aby]\$|\{SHA\}|\$[156]\$|[./0-9A-Za-z]{13}\s*$)`)
	privKeyRE    = regexp.MustCompile(`-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----\s*[A-Za-z0-9+/=:\r\n -]{64,}`)
	phpConfRE    = regexp.MustCompile(`(?i)<\?php|DB_PASSWORD|\$db_?pass|'password'\s*=>`)
	sqlDumpRE    = regexp.MustCompile(`(?i)-- MySQL dump|-- MariaDB dump|PostgreSQL database dump|\bCREATE TABLE\b|\bINSERT INTO\b`)
	rotateSecret = " Assume every secret in it is compromised: rotate the passwords and keys."
)

// Snippets that block dotfiles and backup files, shared by the fixes.
var (
	dotfileSnippets = []Snippet{
		{Server: ServerNginx, Code: "location ~ /\\.(?!well-known) { deny all; }"},
		{Server: ServerApache, Code: "RedirectMatch 404 /\\.(?!well-known)"},
		{Server: ServerCaddy, Code: "@dotfiles {\n\tpath */.*\n\tnot path /.well-known/*\n}\nrespond @dotfiles 404"},
	}
	backupSnippets = []Snippet{
		{Server: ServerNginx, Code: "location ~* \\.(sql|bak|old|save|swp|tar|gz|tgz|zip|7z|rar)$ { deny all; }"},
		{Server: ServerApache, Code: "<FilesMatch \"\\.(sql|bak|old|save|swp|tar|gz|tgz|zip|7z|rar)$\">\n\tRequire all denied\n</FilesMatch>"},
		{Server: ServerCaddy, Code: "@backups path *.sql *.bak *.old *.save *.swp *.tar *.gz *.tgz *.zip *.7z *.rar\nrespond @backups 404"},
	}
)

// dotfileFix is advice followed by "keep dotfiles out of the web root, and
// block them", with extra snippets first.
func dotfileFix(advice string, extra ...Snippet) *Fix {
	return &Fix{Advice: advice + " Keep dotfiles out of the web root, and block them.", Snippets: append(extra, dotfileSnippets...)}
}

// backupFix is advice followed by "delete the file, block backup extensions".
func backupFix(advice string) *Fix {
	return &Fix{Advice: advice + " Delete the file and keep backups outside the web root; block backup extensions.", Snippets: backupSnippets}
}

func pathHasSuffix(suffixes ...string) func(string) bool {
	return func(p string) bool {
		p = strings.ToLower(p)
		if i := strings.IndexAny(p, "?#"); i >= 0 {
			p = p[:i]
		}
		for _, s := range suffixes {
			if strings.HasSuffix(p, s) {
				return true
			}
		}
		return false
	}
}

func notHTML(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n\xef\xbb\xbf")
	return len(t) > 0 && t[0] != '<'
}

func containsAll(b []byte, subs ...string) bool {
	for _, s := range subs {
		if !bytes.Contains(b, []byte(s)) {
			return false
		}
	}
	return true
}

var fileDetectors = []fileDetector{
	{name: "Git repository (.git/HEAD)", sev: SeverityHigh, match: pathHasSuffix("/.git/head"),
		confirm: func(b []byte) bool { return gitHeadRE.Match(bytes.TrimSpace(b)) },
		fix:     dotfileFix("Anyone can download the repository, its history and any secret ever committed (git-dumper)." + rotateSecret + " Deploy without .git (git archive, rsync --exclude .git).")},
	{name: "Git repository (.git/config)", sev: SeverityHigh, match: pathHasSuffix("/.git/config"),
		confirm: func(b []byte) bool {
			return notHTML(b) && bytes.Contains(b, []byte("[core]")) && (bytes.Contains(b, []byte("repositoryformatversion")) || bytes.Contains(b, []byte("bare")))
		},
		fix: dotfileFix("The repository configuration (remotes, sometimes with credentials) is public." + rotateSecret)},
	{name: "Subversion metadata", sev: SeverityHigh, match: pathHasSuffix("/.svn/entries", "/.svn/wc.db"),
		confirm: func(b []byte) bool {
			return bytes.HasPrefix(b, []byte("SQLite format 3\x00")) || (notHTML(b) && svnEntriesRE.Match(b))
		},
		fix: dotfileFix("The repository metadata is public.")},
	{name: "Mercurial repository", sev: SeverityHigh, match: pathHasSuffix("/.hg/requires"),
		confirm: func(b []byte) bool {
			return notHTML(b) && (bytes.Contains(b, []byte("revlogv1")) || bytes.Contains(b, []byte("store")))
		},
		fix: dotfileFix("The repository metadata is public.")},
	{name: "Environment file (.env)", sev: SeverityCritical, capC: true, redacted: true,
		match: func(p string) bool {
			p = strings.ToLower(p)
			i := strings.LastIndex(p, "/")
			base := p[i+1:]
			return base == ".env" || strings.HasPrefix(base, ".env.")
		},
		confirm: func(b []byte) bool {
			return notHTML(b) && len(envLineRE.FindAllIndex(b, 3)) >= 2 && envSecretRE.Match(b)
		},
		fix: dotfileFix("The application's configuration, usually database passwords and API keys, is public." + rotateSecret + " Keep .env outside the web root (the document root should be public/ only).")},
	{name: "macOS .DS_Store", sev: SeverityLow, match: pathHasSuffix("/.ds_store"),
		confirm: func(b []byte) bool { return bytes.HasPrefix(b, []byte("\x00\x00\x00\x01Bud1")) },
		fix:     dotfileFix("It lists the file names of the folder, including unlinked ones. Delete it.")},
	{name: "Password file (.htpasswd)", sev: SeverityHigh, match: pathHasSuffix("/.htpasswd"),
		confirm: func(b []byte) bool { return notHTML(b) && htpasswdRE.Match(b) }, redacted: true,
		fix: dotfileFix("The password hashes can be cracked offline."+rotateSecret, Snippet{Server: ServerApache, Code: "<Files \".ht*\">\n\tRequire all denied\n</Files>"})},
	{name: "npm credentials (.npmrc)", sev: SeverityCritical, capC: true, match: pathHasSuffix("/.npmrc"), redacted: true,
		confirm: func(b []byte) bool { return notHTML(b) && bytes.Contains(b, []byte("_authToken")) },
		fix:     dotfileFix("The registry token lets anyone publish packages as you." + rotateSecret)},
	{name: "AWS credentials file", sev: SeverityCritical, capC: true, match: pathHasSuffix("/.aws/credentials"), redacted: true,
		confirm: func(b []byte) bool {
			return notHTML(b) && bytes.Contains(bytes.ToLower(b), []byte("aws_access_key_id"))
		},
		fix: dotfileFix("The AWS keys give access to your cloud account." + rotateSecret)},
	{name: "Private key", sev: SeverityCritical, capC: true, match: pathHasSuffix("/id_rsa", "/id_ecdsa", "/id_ed25519", ".pem", ".key"), redacted: true,
		confirm: func(b []byte) bool { return privKeyRE.Match(b) },
		fix:     dotfileFix("The private key is public: revoke it (and any certificate or SSH access using it) and remove it from the web root.")},
	{name: "Apache server-status", sev: SeverityMedium, match: pathHasSuffix("/server-status", "/server-status/"),
		confirm: func(b []byte) bool { return bytes.Contains(b, []byte("Apache Server Status")) },
		fix: &Fix{Advice: "It shows every request in flight (URLs, client addresses, virtual hosts). Allow it from the server itself only; with nginx in front, deny the path.",
			Snippets: []Snippet{{Server: ServerApache, Code: "<Location \"/server-status\">\n\tRequire local\n</Location>"}, {Server: ServerNginx, Code: "location = /server-status { deny all; }"}}}},
	{name: "Apache server-info", sev: SeverityMedium, match: pathHasSuffix("/server-info", "/server-info/"),
		confirm: func(b []byte) bool { return bytes.Contains(b, []byte("Apache Server Information")) },
		fix: &Fix{Advice: "It shows the full server configuration. Allow it from the server itself only.",
			Snippets: []Snippet{{Server: ServerApache, Code: "<Location \"/server-info\">\n\tRequire local\n</Location>"}}}},
	{name: "nginx stub_status", sev: SeverityLow, match: pathHasSuffix("/nginx_status", "/nginx_status/"),
		confirm: func(b []byte) bool {
			return notHTML(b) && containsAll(b, "Active connections:", "server accepts handled requests")
		},
		fix: &Fix{Advice: "Allow the status page from the server itself only.",
			Snippets: []Snippet{{Server: ServerNginx, Code: "location = /nginx_status { stub_status; allow 127.0.0.1; deny all; }"}}}},
	{name: "phpinfo() page", sev: SeverityMedium, match: pathHasSuffix(".php"),
		confirm: func(b []byte) bool {
			return bytes.Contains(b, []byte("PHP Version")) && (bytes.Contains(b, []byte("phpinfo()")) || bytes.Contains(b, []byte("PHP License")) ||
				bytes.Contains(b, []byte("Configuration File (php.ini) Path")))
		},
		fix: adviceFix("phpinfo() shows versions, paths, environment variables and sometimes secrets. Delete the file.")},
	{name: "Configuration backup", sev: SeverityCritical, capC: true, redacted: true,
		match:   pathHasSuffix(".php.bak", ".php~", ".php.old", ".php.save", ".php.orig", ".php.txt", ".inc.bak", ".config.bak", ".yml.bak"),
		confirm: func(b []byte) bool { return phpConfRE.Match(b) },
		fix:     backupFix("A backup copy is served as text, with the source code and database password." + rotateSecret)},
	{name: "Editor swap file", sev: SeverityMedium, match: pathHasSuffix(".swp", ".swo"),
		confirm: func(b []byte) bool { return bytes.HasPrefix(b, []byte("b0VIM")) },
		fix:     backupFix("A Vim swap file holds the edited file's content.")},
	{name: "SQL database dump", sev: SeverityCritical, capC: true, match: pathHasSuffix(".sql"), redacted: true,
		confirm: func(b []byte) bool { return notHTML(b) && sqlDumpRE.Match(b) },
		fix:     backupFix("The database, with user data and password hashes, can be downloaded." + rotateSecret)},
	{name: "Backup archive", sev: SeverityHigh, match: pathHasSuffix(".zip", ".tar", ".tar.gz", ".tgz", ".gz", ".7z", ".rar", ".sql.gz"),
		confirm: func(b []byte) bool {
			return bytes.HasPrefix(b, []byte("PK\x03\x04")) || bytes.HasPrefix(b, []byte("\x1f\x8b")) ||
				bytes.HasPrefix(b, []byte("7z\xbc\xaf\x27\x1c")) || bytes.HasPrefix(b, []byte("Rar!")) ||
				(len(b) > 262 && bytes.Equal(b[257:262], []byte("ustar")))
		},
		fix: backupFix("A site or database backup can be downloaded." + rotateSecret)},
	{name: "Application log", sev: SeverityMedium, match: pathHasSuffix("/debug.log", "/laravel.log", "/error.log", "/error_log"),
		confirm: func(b []byte) bool {
			return notHTML(b) && (bytes.Contains(b, []byte("PHP Fatal error")) || bytes.Contains(b, []byte("PHP Warning")) ||
				bytes.Contains(b, []byte("PHP Notice")) || bytes.Contains(b, []byte("[stacktrace]")) || bytes.Contains(b, []byte(".ERROR:")))
		},
		fix: &Fix{Advice: "Logs leak paths, queries and sometimes tokens. Write them outside the web root (Laravel: the storage/ folder must not be public; WordPress: below).",
			Snippets: []Snippet{{Server: ServerConfig, Code: "define('WP_DEBUG_LOG', '/var/log/wp-debug.log');"}}}},
	{name: "Spring Boot actuator /env", sev: SeverityHigh, match: pathHasSuffix("/actuator/env", "/env"),
		confirm: func(b []byte) bool { return bytes.Contains(b, []byte(`"propertySources"`)) },
		fix:     fixActuator("It exposes configuration and environment.")},
	{name: "Java heap dump", sev: SeverityCritical, capC: true, match: pathHasSuffix("/heapdump", "/actuator/heapdump", ".hprof"), redacted: true,
		confirm: func(b []byte) bool { return bytes.HasPrefix(b, []byte("JAVA PROFILE 1.0")) },
		fix:     fixActuator("A heap dump holds every secret in the application's memory." + rotateSecret)},
	{name: "Go pprof endpoint", sev: SeverityMedium, match: pathHasSuffix("/debug/pprof/", "/debug/pprof"),
		confirm: func(b []byte) bool { return bytes.Contains(b, []byte("Types of profiles available")) },
		fix:     adviceFix("Serve net/http/pprof on a separate, internal-only listener.")},
	{name: "ASP.NET ELMAH / trace", sev: SeverityMedium, match: pathHasSuffix("/elmah.axd", "/trace.axd"),
		confirm: func(b []byte) bool {
			return bytes.Contains(b, []byte("Error Log for")) || bytes.Contains(b, []byte("Application Trace"))
		},
		fix: &Fix{Advice: "Turn off remote access to ELMAH and tracing in web.config.",
			Snippets: []Snippet{{Server: ServerConfig, Code: "<elmah><security allowRemoteAccess=\"false\" /></elmah>\n<trace enabled=\"false\" localOnly=\"true\" />"}}}},
	{name: "Editor deployment credentials (sftp.json)", sev: SeverityHigh, match: pathHasSuffix("/.vscode/sftp.json"), redacted: true,
		confirm: func(b []byte) bool {
			return notHTML(b) && bytes.Contains(b, []byte(`"host"`)) && (bytes.Contains(b, []byte(`"password"`)) || bytes.Contains(b, []byte(`"username"`)))
		},
		fix: dotfileFix("The deployment host and credentials are public." + rotateSecret)},
	{name: "ASP.NET web.config", sev: SeverityHigh, match: pathHasSuffix("/web.config"), redacted: true,
		confirm: func(b []byte) bool {
			return bytes.Contains(b, []byte("<configuration")) && (bytes.Contains(b, []byte("connectionString")) ||
				bytes.Contains(b, []byte("<system.web")) || bytes.Contains(b, []byte("<appSettings")))
		},
		fix: &Fix{Advice: "The application configuration (connection strings, machine keys) is served as a file." + rotateSecret + " Serve ASP.NET apps from IIS/Kestrel, which never serve web.config, or block it.",
			Snippets: []Snippet{{Server: ServerNginx, Code: "location ~* /web\\.config$ { deny all; }"}}}},
	{name: "docker-compose.yml", sev: SeverityLow, match: pathHasSuffix("/docker-compose.yml", "/docker-compose.yaml", "/compose.yml"),
		confirm: func(b []byte) bool {
			return notHTML(b) && bytes.Contains(b, []byte("services:")) && (bytes.Contains(b, []byte("image:")) || bytes.Contains(b, []byte("build:")))
		},
		fix: adviceFix("It reveals the internal architecture and often environment secrets. Keep it outside the web root.")},
}

// looksLikeSoft404 says whether a probe answer is really the site's
// catch-all page: the same body as the random-path response, or (when that
// one was a 2xx HTML page too) an HTML page of about the same size.
func looksLikeSoft404(nf, r *Response) bool {
	if nf == nil || len(nf.Body) == 0 {
		return false
	}
	if bytes.Equal(nf.Body, r.Body) {
		return true
	}
	if !isSuccess(nf) || notHTML(nf.Body) || notHTML(r.Body) {
		return false
	}
	a, b := min(len(nf.Body), len(r.Body)), max(len(nf.Body), len(r.Body))
	return b-a <= b/10+64
}

// exposedFile is one confirmed sensitive file.
type exposedFile struct {
	path string
	det  *fileDetector
	body []byte
}

// checkExposureSensitiveFiles: repositories, environment files, dumps and
// debug pages left in the web root hand attackers source code, passwords
// and keys. Each hit is confirmed by the file's content and never reported
// when the answer looks like the site's soft-404 page.
var checkExposureSensitiveFiles = Check{
	ID: idExposureSensitive, Name: "Sensitive files", Category: catExposure, Depth: Deep, Weight: 3,
	Needs: []EvidenceKind{NeedProbes},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idExposureSensitive)
		if ev.Probes == nil || (len(ev.Probes) == 0 && ev.ProbesErr != "") {
			return missing("The sensitive-file probes", ev.ProbesErr)
		}
		var hits []exposedFile
		for _, p := range sortedKeys(ev.Probes) {
			r := ev.Probes[p]
			if !isSuccess(r) || len(r.Body) == 0 || looksLikeSoft404(ev.NotFound, r) {
				continue
			}
			for i := range fileDetectors {
				d := &fileDetectors[i]
				if !d.match(p) || !d.confirm(r.Body) {
					continue
				}
				if ev.NotFound != nil && isSuccess(ev.NotFound) && d.confirm(ev.NotFound.Body) {
					continue // the catch-all page itself matches: not a real file
				}
				hits = append(hits, exposedFile{path: p, det: d, body: r.Body})
				break
			}
		}
		if len(hits) == 0 {
			return o.Pass(1, "none of "+plural(len(ev.Probes), "probed path")+" exposed",
				"No repository, environment file, backup, dump or debug page was found in the web root.")
		}
		slices.SortStableFunc(hits, func(a, b exposedFile) int { return cmp.Compare(SeverityRank(a.det.sev), SeverityRank(b.det.sev)) })
		worst := hits[0].det.sev
		out := Outcome{Score: 0}
		var names []string
		for _, h := range hits {
			names = append(names, h.path)
			if h.det.capC && out.Cap == "" {
				out = out.Capped("C", "a "+h.det.name+" is published at "+h.path)
			}
			out.Findings = append(out.Findings, o.Finding(h.det.sev, h.det.name+" exposed at "+h.path,
				"GET "+h.path+" returns a real "+h.det.name+" (confirmed by its content).",
				h.det.fix,
				fileEvidence(h)))
		}
		out.Value = clip(strings.Join(names, ", "), 250)
		switch worst {
		case SeverityCritical, SeverityHigh:
			out.Status = StatusFail
			out.Description = "Files that must never be public are downloadable: " + clip(strings.Join(names, ", "), 150) + "."
		case SeverityMedium:
			out.Status, out.Score = StatusWarn, 0.3
			out.Description = "Debug or status pages are public: " + clip(strings.Join(names, ", "), 150) + "."
		default:
			out.Status, out.Score = StatusWarn, 0.7
			out.Description = "Minor files leak information: " + clip(strings.Join(names, ", "), 150) + "."
		}
		return out
	},
}

// fixActuator is advice followed by the Spring setting that exposes only
// the harmless actuator endpoints.
func fixActuator(advice string) *Fix {
	return &Fix{Advice: advice + " Expose only the health and info endpoints.",
		Snippets: []Snippet{{Server: ServerConfig, Code: "management.endpoints.web.exposure.include=health,info"}}}
}

// fileEvidence shows what proves the exposure without copying secrets: the
// first line for harmless files, the key names only for secret-bearing ones.
func fileEvidence(h exposedFile) string {
	if h.det.redacted {
		if keys := envKeyRE.FindAllSubmatch(h.body, 8); len(keys) > 0 && !bytes.HasPrefix(h.body, []byte("-----")) {
			var ks []string
			for _, k := range keys {
				ks = append(ks, string(k[1])+"=…")
			}
			return h.path + ": " + strings.Join(ks, " ") + " (values redacted)"
		}
		return h.path + ": content redacted"
	}
	line := h.body
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if !isPrintable(line) {
		return h.path + ": binary file (" + plural(len(h.body), "byte") + ")"
	}
	return h.path + ": " + clip(strings.TrimSpace(string(line)), 120)
}

func isPrintable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}
