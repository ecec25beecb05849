package scanner

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"io"
	"regexp"
	"slices"
	"strings"
)

// ProbePaths are the sensitive files a DEEP scan asks for (Evidence.Probes
// keys), from the exposure categories the community's scanners track:
// environment files, version control metadata, backups and dumps, server
// and framework debug endpoints, tool, cloud and CI credentials. Each is a
// single GET, redirects not followed, body bounded, and each costs the
// target a request under the scan's politeness limiter (a burst, then 5
// requests a second per host: docs/BENCHMARKS.md, "Scanner"), so about 60
// paths add some 12 s to a DEEP scan and the list is bounded to the files most often left public and most
// damaging when they are; every path has a detector that confirms it by
// content (TestEveryProbeHasADetector).
var ProbePaths = []string{
	// Environment files (.env.example and other templates are meant to be
	// public and are not asked for).
	"/.env",
	"/.env.local",
	"/.env.production",
	"/.env.bak",

	// Version control.
	"/.git/HEAD",
	"/.git/config", // only after /.git/HEAD (probeFollowUps)
	"/.git-credentials",
	"/.svn/entries",
	"/.svn/wc.db", // only after /.svn/entries
	"/.hg/requires",

	// Backups, dumps, editor leftovers.
	"/backup.sql",
	"/dump.sql",
	"/db.sql",
	"/backup.zip",
	"/backup.tar.gz",
	"/wp-config.php.bak",  // WordPress sites only (probeWordPressOnly)
	"/wp-config.php.old",  // WordPress sites only
	"/wp-config.php~",     // WordPress sites only
	"/wp-config.php.save", // WordPress sites only
	"/.wp-config.php.swp", // WordPress sites only
	"/config.php.bak",
	"/.DS_Store",

	// Server status and framework debug endpoints.
	"/server-status",
	"/phpinfo.php",
	"/info.php",
	"/actuator/env",
	"/actuator/heapdump",
	"/debug/pprof/",
	"/wp-content/debug.log", // WordPress sites only
	"/storage/logs/laravel.log",

	// Credentials and configuration of tools, clouds and CI.
	"/.htpasswd",
	"/web.config",
	"/.npmrc",
	"/.aws/credentials",
	"/terraform.tfstate",
	"/id_rsa",
	"/.vscode/sftp.json",
	"/docker-compose.yml",
}

// probeFollowUps are probes asked only when another probe of their family
// was answered as the real file: a web root without a Git repository is
// asked for /.git/HEAD, not for /.git/config as well, since a repository
// always has a HEAD (docs/scoring.md, exposure.sensitive-files). Path →
// the probe it follows.
var probeFollowUps = map[string]string{
	"/.git/config": "/.git/HEAD",
	"/.svn/wc.db":  "/.svn/entries",
}

// probeWordPressOnly are probes of files only a WordPress site has; they
// are asked when the main page is recognised as WordPress (cmsOfPage).
var probeWordPressOnly = map[string]bool{
	"/wp-config.php.bak":    true,
	"/wp-config.php.old":    true,
	"/wp-config.php~":       true,
	"/wp-config.php.save":   true,
	"/.wp-config.php.swp":   true,
	"/wp-content/debug.log": true,
}

// probeWaves splits ProbePaths into what is asked first for a site whose
// main page is page (nil when unknown) and the follow-ups asked only after
// their marker answered as the real file.
func probeWaves(page *Response) (first []string, later map[string]string) {
	wp := page != nil && cmsOfPage(page).CMS == "WordPress"
	later = map[string]string{}
	for _, p := range ProbePaths {
		switch {
		case probeFollowUps[p] != "":
			later[p] = probeFollowUps[p]
		case probeWordPressOnly[p] && !wp:
		default:
			first = append(first, p)
		}
	}
	return first, later
}

// probeConfirmed says whether the answer r to the probe of path is the real
// file (its detector confirms the content and it is not the catch-all page
// nf): the rule of checkExposureSensitiveFiles, for the follow-up probes.
func probeConfirmed(path string, r, nf *Response) bool {
	return r != nil && isSuccess(r) && len(r.Body) > 0 && !looksLikeSoft404(nf, r, path) && probeDetector(path, r, nf) != nil
}

// probeDetector is the detector that recognises the answer r to path as a
// sensitive file, nil when none does (a detector the catch-all page nf
// matches too does not count).
func probeDetector(path string, r, nf *Response) *fileDetector {
	for i := range fileDetectors {
		d := &fileDetectors[i]
		if !d.match(path) || !d.confirm(r.Body) {
			continue
		}
		if nf != nil && isSuccess(nf) && d.confirm(nf.Body) {
			continue // the catch-all page itself matches: not a real file
		}
		return d
	}
	return nil
}

// fileDetector recognises one kind of sensitive file by path and content.
type fileDetector struct {
	name     string
	sev      Severity
	capC     bool // the content is a secret in itself: cap the grade at C
	match    func(path string) bool
	confirm  func(body []byte) bool
	fix      *Fix
	redacted bool // evidence shows only structure (key names), never values
	// show, when set, is the evidence: what proves the file without its
	// secrets (registry names, a tool version).
	show func(body []byte) string
}

var (
	svnEntriesRE = regexp.MustCompile(`\A\d+\s*\n`)
	gitHeadRE    = regexp.MustCompile(`\A(?:ref: refs/[^\s]+|[0-9a-f]{40}|[0-9a-f]{64})\s*\z`)
	envKeyRE     = regexp.MustCompile(`(?m)^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.]*)[ \t]*=[ \t]*(.*)$`)
	envPublicRE  = regexp.MustCompile(`(?i)public|publishable`)
	envSecretRE  = regexp.MustCompile(`(?i)pass|pwd|secret|key|token|salt|auth|credential|private|database_url|dsn`)
	htpasswdRE   = regexp.MustCompile(`(?m)^[^:\s<>]+:(?:\$apr1\$|\$2[aby]\$|\{SHA\}|\$[156]\$|[./0-9A-Za-z]{13}\s*$)`)
	privKeyRE    = regexp.MustCompile(`-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----\s*[A-Za-z0-9+/=:\r\n -]{64,}`)
	phpSecretRE  = regexp.MustCompile(`(?i)DB_PASSWORD|\$db_?pass|['"]password['"]\s*=>|\$password\s*=`)
	sqlDumpRE    = regexp.MustCompile(`(?im)^(?:-- MySQL dump|-- MariaDB dump|-- PostgreSQL database dump|-- Dumped from database|-- Host: |CREATE TABLE\b|INSERT INTO\b|COPY \S+ \(.*\) FROM stdin)`)
	gitCredRE    = regexp.MustCompile(`(?m)^[a-z][a-z0-9+.-]*://[^:@/\s]+:[^@\s]+@([^/\s:]+)`)
	hgRequiresRE = regexp.MustCompile(`\A(?:[a-z0-9-]+[ \t]*\r?\n?)+\z`)
	dockerAuthRE = regexp.MustCompile(`"([^"\s]{1,100})"\s*:\s*\{\s*"(?:auth|identitytoken)"\s*:\s*"[A-Za-z0-9+/=_.-]{8,}"`)
	pypircPassRE = regexp.MustCompile(`(?m)^[ \t]*password[ \t]*[:=][ \t]*\S`)
	s3cfgRE      = regexp.MustCompile(`(?m)^[ \t]*secret_key[ \t]*=[ \t]*\S`)
	kubeCredRE   = regexp.MustCompile(`(?m)^[ \t-]*(?:client-key-data|token|password|client-certificate-data|auth-provider)[ \t]*:`)
	tfVersionRE  = regexp.MustCompile(`"terraform_version"\s*:\s*"([0-9][0-9A-Za-z.+-]{0,30})"`)
	gitSectionRE = regexp.MustCompile(`(?m)^[ \t]*\[([^\]\r\n]{1,60})\]`)
	yamlTopKeyRE = regexp.MustCompile(`(?m)^([A-Za-z_.][A-Za-z0-9_.-]{0,40})[ \t]*:`)
	sqlTableRE   = regexp.MustCompile("(?i)CREATE TABLE (?:IF NOT EXISTS )?[`\"]?([A-Za-z0-9_$.]{1,64})")
	jsonNameRE   = regexp.MustCompile(`"name"\s*:\s*"([^"\\]{1,80})"`)
	phpVersionRE = regexp.MustCompile(`PHP Version ([0-9][0-9A-Za-z.+~-]{0,30})`)
	htmlTitleRE  = regexp.MustCompile(`(?is)<title[^>]*>([^<]{1,200})</title>`)
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
		{Server: ServerNginx, Code: "location ~* (\\.(sql|bak|old|save|swp|tar|gz|tgz|zip|7z|rar|tfstate)|~)$ { deny all; }"},
		{Server: ServerApache, Code: "<FilesMatch \"(\\.(sql|bak|old|save|swp|tar|gz|tgz|zip|7z|rar|tfstate)|~)$\">\n\tRequire all denied\n</FilesMatch>"},
		{Server: ServerCaddy, Code: "@backups path *.sql *.bak *.old *.save *.swp *.tar *.gz *.tgz *.zip *.7z *.rar *.tfstate *~\nrespond @backups 404"},
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

func containsAny(b []byte, subs ...string) bool {
	for _, s := range subs {
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

// isGzip says whether b starts like a gzip stream (magic and deflate).
func isGzip(b []byte) bool { return bytes.HasPrefix(b, []byte("\x1f\x8b\x08")) }

// gunzipPrefix is the first bytes (at most 8 KiB) of the gzip stream b, nil
// when it does not decompress: enough to confirm what a compressed dump
// holds from the truncated probe body.
func gunzipPrefix(b []byte) []byte {
	if !isGzip(b) {
		return nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	out, _ := io.ReadAll(io.LimitReader(zr, 8<<10))
	return out
}

// envBasename is the file name of p when it is an environment file
// (".env", ".env.production", ".env.bak"), "" otherwise. Templates
// (.env.example, .env.sample, .env.dist, .env.template) are meant to be
// published and are not environment files.
func envBasename(p string) string {
	p = strings.ToLower(p)
	base := p[strings.LastIndex(p, "/")+1:]
	if base != ".env" && !strings.HasPrefix(base, ".env.") {
		return ""
	}
	switch strings.TrimPrefix(base, ".env.") {
	case "example", "sample", "dist", "template", "defaults":
		return ""
	}
	return base
}

// isEnvFile: KEY=VALUE lines, not HTML, and at least one key named like a
// secret with a value that is not empty. Keys that say they are public
// (NEXT_PUBLIC_…, a publishable key) are meant for browsers and do not
// count.
func isEnvFile(b []byte) bool {
	if !notHTML(b) {
		return false
	}
	lines := envKeyRE.FindAllSubmatch(b, 200)
	if len(lines) < 2 {
		return false
	}
	for _, l := range lines {
		v := strings.Trim(strings.TrimSpace(string(l[2])), `"'`)
		if envSecretRE.Match(l[1]) && v != "" && !envPublicRE.Match(l[1]) {
			return true
		}
	}
	return false
}

// isPHPConfig: PHP source served as text (it starts with the opening tag,
// which a page the server ran never shows) that sets a password.
func isPHPConfig(b []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n\xef\xbb\xbf"), []byte("<?php")) && phpSecretRE.Match(b)
}

// isSQLDump: dump headers or statements at the start of lines, not HTML.
func isSQLDump(b []byte) bool { return notHTML(b) && sqlDumpRE.Match(b) }

// isHgRequires: the requires file is a list of lower-case feature words,
// one a line, naming at least one of Mercurial's storage features.
func isHgRequires(b []byte) bool {
	return hgRequiresRE.Match(bytes.TrimSpace(b)) && containsAny(b, "revlogv1", "store", "fncache", "generaldelta", "dotencode")
}

// isPHPInfo: the phpinfo() page's version header with its license or
// configuration table.
func isPHPInfo(b []byte) bool {
	return bytes.Contains(b, []byte("PHP Version")) && containsAny(b, "phpinfo()", "PHP License", "Configuration File (php.ini) Path")
}

// isKubeconfig: a kubeconfig's structure.
func isKubeconfig(b []byte) bool {
	return notHTML(b) && containsAll(b, "kind: Config", "clusters:") && bytes.Contains(b, []byte("apiVersion:"))
}

// showGitCredentials names the hosts the stored credentials are for.
func showGitCredentials(b []byte) string {
	var hosts []string
	for _, m := range gitCredRE.FindAllSubmatch(b, 5) {
		hosts = append(hosts, "…@"+string(m[1]))
	}
	return "credentials for " + strings.Join(dedupe(hosts), ", ") + " (user names and tokens redacted)"
}

// showGitSections lists the sections of a Git configuration (its remotes
// and branches), never the values, which may hold credentials.
func showGitSections(b []byte) string {
	var ss []string
	for _, m := range gitSectionRE.FindAllSubmatch(b, 8) {
		ss = append(ss, "["+string(m[1])+"]")
	}
	return strings.Join(ss, " ") + " (values redacted)"
}

// showYAMLKeys lists the top-level keys of a YAML file (services:,
// stages:), never the values.
func showYAMLKeys(b []byte) string {
	var ks []string
	for _, m := range yamlTopKeyRE.FindAllSubmatch(b, 8) {
		ks = append(ks, string(m[1])+":")
	}
	return "top-level keys " + strings.Join(dedupe(ks), " ") + " (values redacted)"
}

// showSQLTables names the tables a dump creates (compressed or not), never
// its rows.
func showSQLTables(b []byte) string {
	if u := gunzipPrefix(b); u != nil {
		b = u
	}
	var ts []string
	for _, m := range sqlTableRE.FindAllSubmatch(b, 8) {
		ts = append(ts, string(m[1]))
	}
	if len(ts) == 0 {
		return "a database dump (contents redacted)"
	}
	return "a database dump creating " + strings.Join(dedupe(ts), ", ") + " (contents redacted)"
}

// showPropertySources names the property sources of an actuator /env
// answer, never their values.
func showPropertySources(b []byte) string {
	var ns []string
	for _, m := range jsonNameRE.FindAllSubmatch(b, 6) {
		ns = append(ns, string(m[1]))
	}
	return "property sources " + strings.Join(dedupe(ns), ", ") + " (values redacted)"
}

// showPHPInfo gives the PHP version a phpinfo() page announces, not the
// environment it lists.
func showPHPInfo(b []byte) string {
	v := "unknown"
	if m := phpVersionRE.FindSubmatch(b); m != nil {
		v = string(m[1])
	}
	return "phpinfo() of PHP " + v + " (its environment is not shown here)"
}

// showDockerAuths names the registries the file holds logins for.
func showDockerAuths(b []byte) string {
	var regs []string
	for _, m := range dockerAuthRE.FindAllSubmatch(b, 5) {
		regs = append(regs, clip(string(m[1]), 60))
	}
	return "logins for " + strings.Join(regs, ", ") + " (credentials redacted)"
}

// showTerraform names the Terraform version of a state file; the state's
// values (which hold secrets in clear) are never shown.
func showTerraform(b []byte) string {
	v := "unknown"
	if m := tfVersionRE.FindSubmatch(b); m != nil {
		v = string(m[1])
	}
	return "Terraform state, terraform_version " + v + " (values redacted)"
}

// fileDetectors are tried in order against each probe answer; the first
// that matches the path and confirms the content wins, so a narrower
// detector (a swap file of a PHP configuration) comes before a wider one
// (any swap file).
var fileDetectors = []fileDetector{
	// Version control metadata.
	{name: "Git repository (.git/HEAD)", sev: SeverityHigh, match: pathHasSuffix("/.git/head"),
		confirm: func(b []byte) bool { return gitHeadRE.Match(bytes.TrimSpace(b)) },
		fix:     dotfileFix("Anyone can download the repository, its history and any secret ever committed (git-dumper)." + rotateSecret + " Deploy without .git (git archive, rsync --exclude .git).")},
	{name: "Git repository (.git/config)", sev: SeverityHigh, match: pathHasSuffix("/.git/config"),
		confirm: func(b []byte) bool {
			return notHTML(b) && bytes.Contains(b, []byte("[core]")) && (bytes.Contains(b, []byte("repositoryformatversion")) || bytes.Contains(b, []byte("bare")))
		},
		show: showGitSections,
		fix:  dotfileFix("The repository configuration (remotes, sometimes with credentials) is public." + rotateSecret)},
	{name: "Git credentials (.git-credentials)", sev: SeverityCritical, capC: true, match: pathHasSuffix("/.git-credentials"), redacted: true,
		confirm: func(b []byte) bool { return notHTML(b) && gitCredRE.Match(b) }, show: showGitCredentials,
		fix: dotfileFix("The stored Git logins (user names and access tokens) are public." + rotateSecret)},
	{name: "Subversion metadata", sev: SeverityHigh, match: pathHasSuffix("/.svn/entries", "/.svn/wc.db"),
		confirm: func(b []byte) bool {
			return bytes.HasPrefix(b, []byte("SQLite format 3\x00")) || (notHTML(b) && svnEntriesRE.Match(b))
		},
		fix: dotfileFix("The repository metadata is public.")},
	{name: "Mercurial repository", sev: SeverityHigh, match: pathHasSuffix("/.hg/requires"), confirm: isHgRequires,
		fix: dotfileFix("The repository metadata is public.")},
	{name: "Bazaar repository", sev: SeverityHigh, match: pathHasSuffix("/.bzr/readme"),
		confirm: func(b []byte) bool {
			return notHTML(b) && bytes.Contains(b, []byte("This is a Bazaar control directory"))
		},
		fix: dotfileFix("The repository metadata is public.")},

	// Environment files.
	{name: "Environment file (.env)", sev: SeverityCritical, capC: true, redacted: true,
		match:   func(p string) bool { return envBasename(p) != "" },
		confirm: isEnvFile,
		fix:     dotfileFix("The application's configuration, usually database passwords and API keys, is public." + rotateSecret + " Keep .env files outside the web root (the document root should be public/ only).")},

	// Backups, dumps and editor leftovers.
	{name: "Configuration swap file", sev: SeverityCritical, capC: true, match: pathHasSuffix(".php.swp"), redacted: true,
		confirm: func(b []byte) bool {
			return bytes.HasPrefix(b, []byte("b0VIM")) && bytes.Contains(b, []byte("<?php")) && phpSecretRE.Match(b)
		},
		fix: backupFix("A Vim swap file of the configuration, with its database password, can be downloaded." + rotateSecret)},
	{name: "Configuration backup", sev: SeverityCritical, capC: true, redacted: true,
		match:   pathHasSuffix(".php.bak", ".php~", ".php.old", ".php.save", ".php.orig", ".php.txt", ".inc.bak", ".config.bak", ".yml.bak"),
		confirm: isPHPConfig,
		fix:     backupFix("A backup copy is served as text, with the source code and database password." + rotateSecret)},
	{name: "Editor swap file", sev: SeverityMedium, match: pathHasSuffix(".swp", ".swo"),
		confirm: func(b []byte) bool { return bytes.HasPrefix(b, []byte("b0VIM")) },
		fix:     backupFix("A Vim swap file holds the edited file's content.")},
	{name: "SQL database dump", sev: SeverityCritical, capC: true, match: pathHasSuffix(".sql"), redacted: true,
		confirm: isSQLDump, show: showSQLTables,
		fix: backupFix("The database, with user data and password hashes, can be downloaded." + rotateSecret)},
	{name: "Compressed SQL database dump", sev: SeverityCritical, capC: true, match: pathHasSuffix(".sql.gz"), redacted: true,
		confirm: func(b []byte) bool { return isSQLDump(gunzipPrefix(b)) }, show: showSQLTables,
		fix: backupFix("The database, with user data and password hashes, can be downloaded." + rotateSecret)},
	{name: "Backup archive", sev: SeverityHigh, match: pathHasSuffix(".zip"),
		confirm: func(b []byte) bool { return bytes.HasPrefix(b, []byte("PK\x03\x04")) },
		fix:     backupFix("A site or database backup can be downloaded." + rotateSecret)},
	{name: "Backup archive", sev: SeverityHigh, match: pathHasSuffix(".gz", ".tgz"),
		confirm: func(b []byte) bool { u := gunzipPrefix(b); return len(u) > 0 && notHTML(u) },
		fix:     backupFix("A site or database backup can be downloaded." + rotateSecret)},
	{name: "Backup archive", sev: SeverityHigh, match: pathHasSuffix(".7z", ".rar", ".tar"),
		confirm: func(b []byte) bool {
			return bytes.HasPrefix(b, []byte("7z\xbc\xaf\x27\x1c")) || bytes.HasPrefix(b, []byte("Rar!\x1a\x07")) ||
				(len(b) > 262 && bytes.Equal(b[257:262], []byte("ustar")))
		},
		fix: backupFix("A site or database backup can be downloaded." + rotateSecret)},
	{name: "macOS .DS_Store", sev: SeverityLow, match: pathHasSuffix("/.ds_store"),
		confirm: func(b []byte) bool { return bytes.HasPrefix(b, []byte("\x00\x00\x00\x01Bud1")) },
		fix:     dotfileFix("It lists the file names of the folder, including unlinked ones. Delete it.")},

	// Server status and framework debug endpoints.
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
	{name: "Symfony profiler", sev: SeverityHigh, match: pathHasSuffix("/_profiler/phpinfo"), confirm: isPHPInfo, show: showPHPInfo,
		fix: &Fix{Advice: "The Symfony web profiler is enabled in production: it shows every request with its cookies, the environment and the configuration, and its phpinfo page proves it. Install the profiler for the dev environment only and deploy with APP_ENV=prod." + rotateSecret,
			Snippets: []Snippet{{Server: ServerShell, Code: "composer install --no-dev --optimize-autoloader\nAPP_ENV=prod APP_DEBUG=0"}}}},
	{name: "phpinfo() page", sev: SeverityMedium, match: pathHasSuffix(".php"), confirm: isPHPInfo, show: showPHPInfo,
		fix: adviceFix("phpinfo() shows versions, paths, environment variables and sometimes secrets. Delete the file.")},
	{name: "Laravel Telescope", sev: SeverityHigh, match: pathHasSuffix("/telescope", "/telescope/requests"),
		confirm: func(b []byte) bool { return bytes.Contains(b, []byte("window.Telescope")) },
		fix: &Fix{Advice: "The Telescope dashboard is public: it shows requests with their headers and sessions, queries, mail and exceptions. Restrict it with the viewTelescope gate, or do not install it in production.",
			Snippets: []Snippet{{Server: ServerConfig, Code: "Gate::define('viewTelescope', fn ($user) => in_array($user->email, ['admin@example.com']));"}}}},
	{name: "Application log", sev: SeverityMedium, match: pathHasSuffix("/debug.log", "/laravel.log", "/error.log", "/error_log"),
		confirm: func(b []byte) bool {
			return notHTML(b) && (bytes.Contains(b, []byte("PHP Fatal error")) || bytes.Contains(b, []byte("PHP Warning")) ||
				bytes.Contains(b, []byte("PHP Notice")) || bytes.Contains(b, []byte("[stacktrace]")) || bytes.Contains(b, []byte(".ERROR:")))
		},
		fix: &Fix{Advice: "Logs leak paths, queries and sometimes tokens. Write them outside the web root (Laravel: the storage/ folder must not be public; WordPress: below).",
			Snippets: []Snippet{{Server: ServerConfig, Code: "define('WP_DEBUG_LOG', '/var/log/wp-debug.log');"}}}},
	{name: "Spring Boot actuator /env", sev: SeverityHigh, match: pathHasSuffix("/actuator/env", "/env"),
		confirm: func(b []byte) bool {
			return notHTML(b) && (bytes.Contains(b, []byte(`"propertySources"`)) || bytes.Contains(b, []byte(`"systemEnvironment"`)))
		},
		redacted: true, show: showPropertySources,
		fix: fixActuator("It exposes configuration and environment.")},
	{name: "Java heap dump", sev: SeverityCritical, capC: true, match: pathHasSuffix("/heapdump", "/actuator/heapdump", ".hprof"), redacted: true,
		confirm: func(b []byte) bool {
			return bytes.HasPrefix(b, []byte("JAVA PROFILE 1.0")) || bytes.HasPrefix(gunzipPrefix(b), []byte("JAVA PROFILE 1.0"))
		},
		fix: fixActuator("A heap dump holds every secret in the application's memory." + rotateSecret)},
	{name: "Go pprof endpoint", sev: SeverityMedium, match: pathHasSuffix("/debug/pprof/", "/debug/pprof"),
		confirm: func(b []byte) bool { return bytes.Contains(b, []byte("Types of profiles available")) },
		fix:     adviceFix("Serve net/http/pprof on a separate, internal-only listener.")},
	{name: "ASP.NET ELMAH / trace", sev: SeverityMedium, match: pathHasSuffix("/elmah.axd", "/trace.axd"),
		confirm: func(b []byte) bool {
			l := bytes.ToLower(b)
			return (bytes.Contains(l, []byte("error log for")) && bytes.Contains(l, []byte("elmah"))) || bytes.Contains(b, []byte("Application Trace"))
		},
		fix: &Fix{Advice: "Turn off remote access to ELMAH and tracing in web.config.",
			Snippets: []Snippet{{Server: ServerConfig, Code: "<elmah><security allowRemoteAccess=\"false\" /></elmah>\n<trace enabled=\"false\" localOnly=\"true\" />"}}}},

	// Credentials and configuration of tools, clouds and CI.
	{name: "Password file (.htpasswd)", sev: SeverityHigh, match: pathHasSuffix("/.htpasswd"),
		confirm: func(b []byte) bool { return notHTML(b) && htpasswdRE.Match(b) }, redacted: true,
		fix: dotfileFix("The password hashes can be cracked offline."+rotateSecret, Snippet{Server: ServerApache, Code: "<Files \".ht*\">\n\tRequire all denied\n</Files>"})},
	{name: "npm credentials (.npmrc)", sev: SeverityCritical, capC: true, match: pathHasSuffix("/.npmrc"), redacted: true,
		confirm: func(b []byte) bool {
			return notHTML(b) && containsAny(b, "_authToken", "_auth=", "_auth =", "_password")
		},
		fix: dotfileFix("The registry token lets anyone publish packages as you." + rotateSecret)},
	{name: "PyPI credentials (.pypirc)", sev: SeverityCritical, capC: true, match: pathHasSuffix("/.pypirc"), redacted: true,
		confirm: func(b []byte) bool {
			return notHTML(b) && containsAny(b, "[distutils]", "[pypi]", "[testpypi]") && pypircPassRE.Match(b)
		},
		fix: dotfileFix("The package index password or token lets anyone publish packages as you." + rotateSecret)},
	{name: "AWS credentials file", sev: SeverityCritical, capC: true, match: pathHasSuffix("/.aws/credentials"), redacted: true,
		confirm: func(b []byte) bool {
			return notHTML(b) && bytes.Contains(bytes.ToLower(b), []byte("aws_access_key_id"))
		},
		fix: dotfileFix("The AWS keys give access to your cloud account." + rotateSecret)},
	{name: "S3 client credentials (.s3cfg)", sev: SeverityCritical, capC: true, match: pathHasSuffix("/.s3cfg"), redacted: true,
		confirm: func(b []byte) bool { return notHTML(b) && bytes.Contains(b, []byte("access_key")) && s3cfgRE.Match(b) },
		fix:     dotfileFix("The object storage keys give access to your buckets." + rotateSecret)},
	{name: "Docker registry credentials", sev: SeverityCritical, capC: true, match: pathHasSuffix("/.docker/config.json"), redacted: true,
		confirm: func(b []byte) bool {
			return notHTML(b) && bytes.Contains(b, []byte(`"auths"`)) && dockerAuthRE.Match(b)
		},
		show: showDockerAuths,
		fix:  dotfileFix("The registry logins let anyone pull and push your images." + rotateSecret)},
	{name: "Kubernetes credentials (kubeconfig)", sev: SeverityCritical, capC: true, match: pathHasSuffix("/.kube/config"), redacted: true,
		confirm: func(b []byte) bool { return isKubeconfig(b) && kubeCredRE.Match(b) }, show: showYAMLKeys,
		fix: dotfileFix("The cluster's address and the credentials to administer it are public." + rotateSecret)},
	{name: "Kubernetes cluster configuration (kubeconfig)", sev: SeverityHigh, match: pathHasSuffix("/.kube/config"), redacted: true,
		confirm: isKubeconfig, show: showYAMLKeys,
		fix: dotfileFix("The cluster's addresses and users are public.")},
	{name: "Terraform state", sev: SeverityCritical, capC: true, match: pathHasSuffix(".tfstate", ".tfstate.backup"), redacted: true,
		confirm: func(b []byte) bool {
			return notHTML(b) && tfVersionRE.Match(b) && containsAny(b, `"resources"`, `"modules"`)
		},
		show: showTerraform,
		fix:  backupFix("Terraform state holds every managed resource with its secrets (database passwords, keys) in clear text." + rotateSecret + " Keep state in a remote backend.")},
	{name: "Private key", sev: SeverityCritical, capC: true, match: pathHasSuffix("/id_rsa", "/id_ecdsa", "/id_ed25519", ".pem", ".key"), redacted: true,
		confirm: func(b []byte) bool { return privKeyRE.Match(b) },
		fix:     dotfileFix("The private key is public: revoke it (and any certificate or SSH access using it) and remove it from the web root.")},
	{name: "Editor deployment credentials (sftp.json)", sev: SeverityHigh, match: pathHasSuffix("/.vscode/sftp.json", "/sftp-config.json"), redacted: true,
		confirm: func(b []byte) bool {
			return notHTML(b) && bytes.Contains(b, []byte(`"host"`)) && containsAny(b, `"password"`, `"username"`, `"user"`)
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
		show: showYAMLKeys,
		fix:  dotfileFix("It reveals the internal architecture and often environment secrets. Keep it outside the web root.")},
	{name: "CI configuration", sev: SeverityLow, match: pathHasSuffix("/.gitlab-ci.yml", "/.travis.yml", "/.circleci/config.yml"),
		confirm: func(b []byte) bool {
			return notHTML(b) && containsAny(b, "script:", "jobs:", "stages:") && containsAny(b, "image:", "stage:", "workflows:", "language:", "before_script:", "steps:")
		},
		show: showYAMLKeys,
		fix:  dotfileFix("The build and deployment steps (hosts, paths, sometimes credentials in variables) are public.")},
}

// looksLikeSoft404 says whether a probe answer to path is really the
// site's catch-all page: the same body as the random-path response, the
// same body once the path it echoes is swapped for the random one, or (when
// that one was a 2xx HTML page too) an HTML page of about the same size.
func looksLikeSoft404(nf, r *Response, path string) bool {
	if nf == nil || len(nf.Body) == 0 {
		return false
	}
	if bytes.Equal(nf.Body, r.Body) {
		return true
	}
	if !isSuccess(nf) {
		return false
	}
	if nfPath := pathOf(nf.URL); path != "" && nfPath != "/" && bytes.Contains(r.Body, []byte(path)) &&
		bytes.Equal(bytes.ReplaceAll(r.Body, []byte(path), []byte(nfPath)), nf.Body) {
		return true
	}
	if notHTML(nf.Body) || notHTML(r.Body) {
		return false
	}
	a, b := min(len(nf.Body), len(r.Body)), max(len(nf.Body), len(r.Body))
	return b-a <= b/10+64
}

// debugPages recognise a framework's debug mode from the answer to the
// random path the probes already ask for (Evidence.NotFound): a debug 404
// page names the framework, its routes or its exception classes, which a
// production 404 never does. It costs no request. Only a 404 counts, so a
// catch-all page that answers 200 (a blog's home page quoting a Django
// tutorial) is never taken for one.
var debugPages = []fileDetector{
	{name: "Django debug mode", sev: SeverityMedium,
		confirm: func(b []byte) bool {
			return bytes.Contains(b, []byte("<code>DEBUG = True</code> in your Django settings file"))
		},
		show: func([]byte) string {
			return "the page of an unknown path says \"you have DEBUG = True in your Django settings file\" and lists the URL patterns"
		},
		fix: &Fix{Advice: "Django runs with DEBUG = True: error pages show the URL patterns, settings and stack traces with local variables. Turn it off in production.",
			Snippets: []Snippet{{Server: ServerConfig, Code: "DEBUG = False"}}}},
	{name: "Rails development mode", sev: SeverityMedium,
		confirm: func(b []byte) bool { return containsAll(b, "Routing Error", "No route matches", "Rails.root") },
		show: func([]byte) string {
			return "the page of an unknown path is Rails' routing error page, with Rails.root and the routes"
		},
		fix: &Fix{Advice: "The application runs in development mode (or with consider_all_requests_local): error pages show the routes, the source and the environment. Run with RAILS_ENV=production.",
			Snippets: []Snippet{{Server: ServerConfig, Code: "config.consider_all_requests_local = false"}}}},
	{name: "Symfony debug mode", sev: SeverityMedium,
		confirm: func(b []byte) bool { return containsAll(b, "NotFoundHttpException", "Symfony\\Component\\") },
		show: func([]byte) string {
			return "the page of an unknown path is Symfony's exception page (NotFoundHttpException with its stack trace)"
		},
		fix: &Fix{Advice: "Symfony runs with debug on: exception pages show the stack trace, paths and configuration. Deploy with APP_ENV=prod and APP_DEBUG=0.",
			Snippets: []Snippet{{Server: ServerShell, Code: "APP_ENV=prod APP_DEBUG=0"}}}},
}

// exposedFile is one confirmed sensitive file (or debug page).
type exposedFile struct {
	path  string // the probed path, or the random path of a debug page
	where string // what the title names: the path, "every unknown path"
	det   *fileDetector
	body  []byte
	also  []string // other probed paths answering the same file byte for byte
}

// checkExposureSensitiveFiles: repositories, environment files, dumps,
// credentials and debug pages left in the web root hand attackers source
// code, passwords and keys. Each hit is confirmed by the file's content,
// never by a status code alone, and never reported when the answer looks
// like the site's soft-404 page (docs/scoring.md, exposure.sensitive-files).
var checkExposureSensitiveFiles = Check{
	ID: idExposureSensitive, Name: "Sensitive files", Category: catExposure, Depth: Deep, Weight: 3,
	Needs: []EvidenceKind{NeedProbes},
	Evaluate: func(ev *Evidence) Outcome {
		o := outcome(idExposureSensitive)
		if ev.Probes == nil || (len(ev.Probes) == 0 && ev.ProbesErr != "") {
			return missing("The sensitive-file probes", ev.ProbesErr)
		}
		nf := ev.NotFound
		var hits []exposedFile
		// Most probes answer 404: only the 2xx answers with a body are
		// sorted (for a stable report) and read.
		var answered []string
		for p, r := range ev.Probes {
			if isSuccess(r) && len(r.Body) > 0 {
				answered = append(answered, p)
			}
		}
		slices.Sort(answered)
		for _, p := range answered {
			r := ev.Probes[p]
			if looksLikeSoft404(nf, r, p) {
				continue
			}
			d := probeDetector(p, r, nf)
			if d == nil {
				continue
			}
			// One file served under several names (a rewrite of .env*)
			// is one finding naming them all.
			if j := slices.IndexFunc(hits, func(h exposedFile) bool { return h.det == d && bytes.Equal(h.body, r.Body) }); j >= 0 {
				hits[j].also = append(hits[j].also, p)
				continue
			}
			hits = append(hits, exposedFile{path: p, where: p, det: d, body: r.Body})
		}
		if nf != nil && nf.StatusCode == 404 && len(nf.Body) > 0 {
			for i := range debugPages {
				if d := &debugPages[i]; d.confirm(nf.Body) {
					hits = append(hits, exposedFile{path: pathOf(nf.URL), where: "every unknown path", det: d, body: nf.Body})
					break
				}
			}
		}
		if len(hits) == 0 {
			return o.Pass(1, "none of "+plural(len(ev.Probes), "probed path")+" exposed",
				"No repository, environment file, backup, dump, credentials file or debug page was found in the web root.")
		}
		slices.SortStableFunc(hits, func(a, b exposedFile) int { return cmp.Compare(SeverityRank(a.det.sev), SeverityRank(b.det.sev)) })
		worst := hits[0].det.sev
		out := Outcome{Score: 0}
		var names []string
		for _, h := range hits {
			names = append(names, h.where)
			if h.det.capC && out.Cap == "" {
				out = out.Capped("C", "a "+h.det.name+" is published at "+h.path)
			}
			d := "GET " + h.path + " returns a real " + h.det.name + " (confirmed by its content)."
			if len(h.also) > 0 {
				d += " The same file is served at " + clip(strings.Join(h.also, ", "), 150) + "."
			}
			out.Findings = append(out.Findings, o.Finding(h.det.sev, h.det.name+" exposed at "+h.where, d,
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
	if h.det.show != nil {
		return h.path + ": " + h.det.show(h.body)
	}
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
	if !notHTML(h.body) {
		if m := htmlTitleRE.FindSubmatch(h.body); m != nil {
			return h.path + ": an HTML page titled \"" + clip(strings.Join(strings.Fields(string(m[1])), " "), 100) + "\""
		}
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
