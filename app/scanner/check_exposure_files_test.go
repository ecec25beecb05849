package scanner

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCheckExposureSensitiveFiles confirms each kind of file by content and
// never reports answers that look like the site's soft-404 page.
func TestCheckExposureSensitiveFiles(t *testing.T) {
	notFound := ckResp("https://example.com/nope-8c1f", 404, "<html><title>Not found</title></html>", "Content-Type: text/html")
	probes := func(nf *Response, kv ...string) *Evidence {
		return ckWith(nil, func(ev *Evidence) {
			ev.NotFound = nf
			ev.Probes = map[string]*Response{}
			for i := 0; i+1 < len(kv); i += 2 {
				ev.Probes[kv[i]] = ckResp("https://example.com"+kv[i], 200, kv[i+1])
			}
		})
	}
	home := "<!doctype html><html><head><title>Shop</title></head><body>" + strings.Repeat("<p>product</p>", 50) + "</body></html>"
	softNF := ckResp("https://example.com/nope-8c1f", 200, home, "Content-Type: text/html")
	phpinfo := `<html><body><table><tr class="h"><td><h1 class="p">PHP Version 8.1.2</h1></td></tr></table><h2>PHP License</h2></body></html>`
	env := "APP_NAME=Shop\nAPP_KEY=base64:abcdefghijklmnop\nDB_PASSWORD=hunter2\n"
	runCheckCases(t, []checkCase{
		{name: "nothing exposed", id: idExposureSensitive, ev: probes(notFound), want: StatusPass, score: 1},
		{name: "git head", id: idExposureSensitive, ev: probes(notFound, "/.git/HEAD", "ref: refs/heads/main\n"), want: StatusFail, value: "/.git/HEAD", score: 0, find: "ref: refs/heads/main"},
		{name: "git head detached", id: idExposureSensitive, ev: probes(notFound, "/.git/HEAD", "3f786850e387550fdab836ed7e6dc881de23001b\n"), want: StatusFail, score: 0},
		{name: "env caps C, values redacted", id: idExposureSensitive, ev: probes(notFound, "/.env", env), want: StatusFail, value: "/.env", score: 0, cap: "C", find: "DB_PASSWORD=… (values redacted)"},
		{name: "ds_store", id: idExposureSensitive, ev: probes(notFound, "/.DS_Store", "\x00\x00\x00\x01Bud1\x00\x00\x10\x00"), want: StatusWarn, score: 0.7, find: "binary file"},
		{name: "server-status", id: idExposureSensitive, ev: probes(notFound, "/server-status", "<html><title>Apache Status</title><h1>Apache Server Status for example.com</h1></html>"), want: StatusWarn, score: 0.3, find: "Require local"},
		{name: "phpinfo", id: idExposureSensitive, ev: probes(notFound, "/phpinfo.php", phpinfo), want: StatusWarn, value: "/phpinfo.php", score: 0.3},
		{name: "sql dump caps C", id: idExposureSensitive, ev: probes(notFound, "/backup.sql", "-- MySQL dump 10.13\nCREATE TABLE `users` (id int);\n"), want: StatusFail, score: 0, cap: "C"},
		{name: "zip backup", id: idExposureSensitive, ev: probes(notFound, "/backup.zip", "PK\x03\x04\x14\x00\x00\x00"), want: StatusFail, score: 0, find: "deny all"},
		{name: "config backup", id: idExposureSensitive, ev: probes(notFound, "/wp-config.php.bak", "<?php\ndefine('DB_PASSWORD', 'x');"), want: StatusFail, score: 0, cap: "C"},
		{name: "htpasswd", id: idExposureSensitive, ev: probes(notFound, "/.htpasswd", "admin:$apr1$abc$defghijklmnop\n"), want: StatusFail, score: 0, find: "content redacted"},
		{name: "worst first", id: idExposureSensitive, ev: probes(notFound, "/.DS_Store", "\x00\x00\x00\x01Bud1", "/.git/HEAD", "ref: refs/heads/master"), want: StatusFail, value: "/.git/HEAD, /.DS_Store", score: 0},
		{name: "env-looking html is not env", id: idExposureSensitive, ev: probes(notFound, "/.env", "<html>A=1\nB=2 password</html>"), want: StatusPass, score: 1},
		{name: "git head with html body", id: idExposureSensitive, ev: probes(notFound, "/.git/HEAD", home), want: StatusPass, score: 1},
		{name: "soft 404 same body", id: idExposureSensitive, ev: probes(softNF, "/phpinfo.php", home), want: StatusPass, score: 1},
		{name: "catch-all that looks like phpinfo", id: idExposureSensitive, ev: probes(ckResp("https://example.com/nope", 200, phpinfo+"<!-- x -->"), "/phpinfo.php", phpinfo), want: StatusPass, score: 1},
		{name: "soft 404 similar size", id: idExposureSensitive, ev: probes(softNF, "/server-status", strings.Replace(home, "Shop", "Shop Apache Server Status", 1)), want: StatusPass, score: 1},
		{name: "404 status ignored", id: idExposureSensitive, ev: ckWith(nil, func(ev *Evidence) {
			ev.Probes = map[string]*Response{"/.git/HEAD": ckResp("https://example.com/.git/HEAD", 404, "ref: refs/heads/main")}
		}), want: StatusPass, score: 1},
		{name: "every probe failed", id: idExposureSensitive, ev: ckWith(nil, func(ev *Evidence) {
			ev.Probes, ev.ProbesErr = map[string]*Response{}, "17 of 17 probes failed (first: timeout)"
		}), want: StatusError, score: -1},
		{name: "not probed", id: idExposureSensitive, ev: ckEv(nil), want: StatusSkipped, score: -1},
		{name: "env template is not a leak", id: idExposureSensitive, ev: probes(notFound, "/.env.example", env), want: StatusPass, score: 1},
		{name: "env with empty secrets", id: idExposureSensitive, ev: probes(notFound, "/.env", "APP_NAME=Shop\nDB_PASSWORD=\nAPI_KEY=\"\"\n"), want: StatusPass, score: 1},
		{name: "env with public keys only", id: idExposureSensitive, ev: probes(notFound, "/.env.production", "NEXT_PUBLIC_SITE_KEY=6Lc_abc\nSTRIPE_PUBLISHABLE_KEY=pk_live_abc\n"), want: StatusPass, score: 1},
		{name: "env variant", id: idExposureSensitive, ev: probes(notFound, "/.env.production", env), want: StatusFail, value: "/.env.production", cap: "C", score: 0},
		{name: "catch-all echoing the path", id: idExposureSensitive, ev: probes(ckResp("https://example.com/palisade-0a1b.html", 200, "A=1\nSECRET_KEY=x /palisade-0a1b.html\n"), "/.env", "A=1\nSECRET_KEY=x /.env\n"), want: StatusPass, score: 1},
		{name: "git credentials show hosts only", id: idExposureSensitive, ev: probes(notFound, "/.git-credentials", "https://deploy:ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com\n"), want: StatusFail, cap: "C", score: 0, find: "credentials for …@github.com (user names and tokens redacted)"},
		{name: "docker auths show registries only", id: idExposureSensitive, ev: probes(notFound, "/.docker/config.json", `{"auths":{"registry.example.com":{"auth":"ZGVwbG95OnMzY3JldA=="}}}`), want: StatusFail, cap: "C", score: 0, find: "logins for registry.example.com (credentials redacted)"},
		{name: "docker config without logins", id: idExposureSensitive, ev: probes(notFound, "/.docker/config.json", `{"auths":{},"credsStore":"desktop"}`), want: StatusPass, score: 1},
		{name: "terraform state", id: idExposureSensitive, ev: probes(notFound, "/terraform.tfstate", `{"version":4,"terraform_version":"1.5.7","resources":[{"type":"aws_db_instance","instances":[{"attributes":{"password":"hunter2"}}]}]}`), want: StatusFail, cap: "C", score: 0, find: "terraform_version 1.5.7 (values redacted)"},
		{name: "gzipped sql dump", id: idExposureSensitive, ev: probes(notFound, "/backup.sql.gz", gz("-- MySQL dump 10.13\nINSERT INTO users VALUES (1,'a');\n")), want: StatusFail, value: "/backup.sql.gz", cap: "C", score: 0},
		{name: "django debug 404", id: idExposureSensitive, ev: probes(ckResp("https://example.com/palisade-0a1b.html", 404, "<html><title>Page not found at /palisade-0a1b.html</title><p>You’re seeing this error because you have <code>DEBUG = True</code> in your Django settings file.</p></html>")), want: StatusWarn, value: "every unknown path", score: 0.3, find: "DEBUG = True"},
		{name: "sql dump names its tables only", id: idExposureSensitive, ev: probes(notFound, "/dump.sql", "-- MySQL dump 10.13\nCREATE TABLE `users` (id int);\nCREATE TABLE IF NOT EXISTS orders (id int);\nINSERT INTO `users` VALUES (1,'alice@example.com','$2y$10$hash');\n"), want: StatusFail, cap: "C", score: 0, find: "a database dump creating users, orders (contents redacted)"},
		{name: "git config names its sections only", id: idExposureSensitive, ev: probes(notFound, "/.git/config", "[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n\turl = https://bob:tok@git.example.com/shop.git\n"), want: StatusFail, score: 0, find: `[core] [remote "origin"] (values redacted)`},
		{name: "phpinfo gives its version", id: idExposureSensitive, ev: probes(notFound, "/info.php", phpinfo), want: StatusWarn, score: 0.3, find: "phpinfo() of PHP 8.1.2"},
		{name: "actuator env names its sources", id: idExposureSensitive, ev: probes(notFound, "/actuator/env", `{"activeProfiles":[],"propertySources":[{"name":"server.ports","properties":{}},{"name":"systemEnvironment","properties":{"DB_PASS":{"value":"hunter2"}}}]}`), want: StatusFail, score: 0, find: "property sources server.ports, systemEnvironment (values redacted)"},
		{name: "one file under several names is one finding", id: idExposureSensitive, ev: probes(notFound, "/.env", env, "/.env.bak", env, "/.env.old", env, "/.env.local", "A=1\nAPI_KEY=other\n"), want: StatusFail, value: "/.env, /.env.local", cap: "C", score: 0, find: "The same file is served at /.env.bak, /.env.old."},
		{name: "a 200 page quoting the django debug text", id: idExposureSensitive, ev: probes(ckResp("https://example.com/palisade-0a1b.html", 200, "<html><p>Tutorial: you’re seeing this error because you have <code>DEBUG = True</code> in your Django settings file.</p></html>")), want: StatusPass, score: 1},
		{name: "rails routing error", id: idExposureSensitive, ev: probes(ckResp("https://example.com/palisade-0a1b.html", 404, "<html><h1>Routing Error</h1><p>No route matches [GET] \"/palisade-0a1b.html\"</p><p>Rails.root: /app</p></html>")), want: StatusWarn, value: "every unknown path", score: 0.3, find: "Rails"},
		{name: "symfony debug 404", id: idExposureSensitive, ev: probes(ckResp("https://example.com/palisade-0a1b.html", 404, `<html><title>No route found for "GET https://example.com/palisade-0a1b.html" (404 Not Found)</title><span>Symfony\Component\HttpKernel\Exception\NotFoundHttpException</span></html>`)), want: StatusWarn, value: "every unknown path", score: 0.3, find: "Symfony"},
		{name: "django production 404", id: idExposureSensitive, ev: probes(ckResp("https://example.com/palisade-0a1b.html", 404, "<html><h1>Not Found</h1><p>The requested resource was not found on this server.</p></html>")), want: StatusPass, score: 1},
	})
}

// gz compresses s.
func gz(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return b.String()
}

// probeTruePositives is a real answer for every probed path, as the file
// is published by the tool that writes it.
var probeTruePositives = map[string]string{
	"/.env":                     "APP_ENV=production\nAPP_KEY=base64:c2VjcmV0c2VjcmV0\nDB_PASSWORD=hunter2\n",
	"/.env.local":               "NEXT_PUBLIC_SITE=https://example.com\nSTRIPE_SECRET_KEY=sk_live_x\n",
	"/.env.production":          "export DATABASE_URL=postgres://u:p@db/app\nexport SESSION_SECRET=abc\n",
	"/.env.development":         "DEBUG=1\nAWS_SECRET_ACCESS_KEY=abc\n",
	"/.env.backup":              "APP_NAME=Shop\nMAIL_PASSWORD='x'\n",
	"/.env.bak":                 "APP_NAME=Shop\nJWT_SECRET=\"abc\"\n",
	"/.env.old":                 "APP_NAME=Shop\nREDIS_PASSWORD=abc\n",
	"/.env.save":                "APP_NAME=Shop\nAPI_TOKEN=abc\n",
	"/.git/HEAD":                "ref: refs/heads/main\n",
	"/.git/config":              "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n[remote \"origin\"]\n\turl = git@github.com:acme/shop.git\n",
	"/.git-credentials":         "https://deploy:ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com\n",
	"/.svn/entries":             "12\n\ndir\n1234\nhttps://svn.example.com/repo/trunk\n",
	"/.svn/wc.db":               "SQLite format 3\x00\x10\x00\x01\x01\x00@  ",
	"/.hg/requires":             "dotencode\nfncache\ngeneraldelta\nrevlogv1\nsparserevlog\nstore\n",
	"/.bzr/README":              "This is a Bazaar control directory.\nDo not change any files in this directory.\n",
	"/backup.sql":               "-- MySQL dump 10.13  Distrib 8.0.32\n--\n-- Host: localhost    Database: shop\nCREATE TABLE `users` (id int);\n",
	"/dump.sql":                 "--\n-- PostgreSQL database dump\n--\nCOPY public.users (id, email) FROM stdin;\n",
	"/db.sql":                   "INSERT INTO `wp_users` VALUES (1,'admin','$P$Bxyz');\n",
	"/database.sql":             "-- MariaDB dump 10.19\nCREATE TABLE t (a int);\n",
	"/backup.sql.gz":            gz("-- MySQL dump 10.13\nCREATE TABLE `users` (id int);\n"),
	"/backup.zip":               "PK\x03\x04\x14\x00\x00\x00\x08\x00",
	"/backup.tar.gz":            gz("site/index.php"),
	"/site.tar.gz":              gz("site/index.php"),
	"/www.zip":                  "PK\x03\x04\x0a\x00\x00\x00\x00\x00",
	"/wp-config.php.bak":        "<?php\ndefine( 'DB_NAME', 'wp' );\ndefine( 'DB_PASSWORD', 'hunter2' );\n",
	"/wp-config.php.old":        "<?php\ndefine('DB_PASSWORD', 'hunter2');\n",
	"/wp-config.php~":           "<?php\ndefine('DB_PASSWORD', 'hunter2');\n",
	"/wp-config.php.save":       "<?php\ndefine('DB_PASSWORD', 'hunter2');\n",
	"/.wp-config.php.swp":       "b0VIM 8.2\x00\x00\x00\x00\x10\x00\x00root\x00<?php define('DB_PASSWORD', 'hunter2');",
	"/config.php.bak":           "<?php\n$config = ['db' => ['user' => 'app', 'password' => 'x']];\n$db_pass = 'x';\n",
	"/.DS_Store":                "\x00\x00\x00\x01Bud1\x00\x00\x10\x00",
	"/server-status":            "<!DOCTYPE HTML><html><head><title>Apache Status</title></head><body><h1>Apache Server Status for example.com (via 10.0.0.5)</h1></body></html>",
	"/nginx_status":             "Active connections: 2 \nserver accepts handled requests\n 10 10 20 \nReading: 0 Writing: 1 Waiting: 1 \n",
	"/phpinfo.php":              `<html><body><h1 class="p">PHP Version 8.2.1</h1><h2>PHP License</h2></body></html>`,
	"/info.php":                 `<html><body><h1 class="p">PHP Version 7.4.3</h1><tr><td class="e">Configuration File (php.ini) Path </td></tr></body></html>`,
	"/_profiler/phpinfo":        `<html><body><h1 class="p">PHP Version 8.1.0</h1><h2>PHP License</h2></body></html>`,
	"/telescope":                `<!DOCTYPE html><html><head><title>Telescope - Shop</title></head><body><div id="telescope"></div><script>window.Telescope = {"path":"telescope","timezone":"UTC"};</script></body></html>`,
	"/actuator/env":             `{"activeProfiles":["prod"],"propertySources":[{"name":"systemEnvironment","properties":{}}]}`,
	"/actuator/heapdump":        "JAVA PROFILE 1.0.2\x00\x00\x00\x00\x08",
	"/debug/pprof/":             "<html><head><title>/debug/pprof/</title></head><body>/debug/pprof/<br><p>Set debug=1 as a query parameter to export in legacy text format</p><br>Types of profiles available:</body></html>",
	"/elmah.axd":                `<html><head><title>Error log for /LM/W3SVC/1/ROOT on WEB01 (Page #1)</title></head><body><p>Powered by <a href="https://elmah.github.io/">ELMAH</a></p></body></html>`,
	"/trace.axd":                `<html><head><title>Application Trace</title></head><body><h1>Application Trace</h1></body></html>`,
	"/wp-content/debug.log":     "[01-Mar-2026 10:00:00 UTC] PHP Warning:  Undefined variable $x in /var/www/html/wp-content/plugins/a/a.php on line 3\n",
	"/storage/logs/laravel.log": "[2026-03-01 10:00:00] production.ERROR: SQLSTATE[HY000] [2002] Connection refused {\"exception\":\"[object] (PDOException(code: 2002))\n[stacktrace]\n",
	"/.htpasswd":                "admin:$apr1$abc$defghijklmnop\n",
	"/web.config":               `<?xml version="1.0"?><configuration><connectionStrings><add name="db" connectionString="Server=.;Password=x"/></connectionStrings></configuration>`,
	"/.npmrc":                   "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789\n",
	"/.pypirc":                  "[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmc\n",
	"/.aws/credentials":         "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLF\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
	"/.s3cfg":                   "[default]\naccess_key = AKIAIOSFODNN7EXAMPLF\nhost_base = s3.amazonaws.com\nsecret_key = wJalrXUtnFEMI/K7MDENG\n",
	"/.docker/config.json":      `{"auths":{"https://index.docker.io/v1/":{"auth":"ZGVwbG95OnMzY3JldA=="}}}`,
	"/.kube/config":             "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://10.0.0.1:6443\n  name: prod\nusers:\n- name: admin\n  user:\n    token: eyJhbGciOi\n",
	"/terraform.tfstate":        `{"version":4,"terraform_version":"1.6.0","serial":3,"resources":[]}`,
	"/id_rsa":                   "-----BEGIN OPENSSH PRIVATE KEY-----\n" + strings.Repeat("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", 2) + "\n-----END OPENSSH PRIVATE KEY-----\n",
	"/.ssh/id_rsa":              "-----BEGIN RSA PRIVATE KEY-----\n" + strings.Repeat("MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun", 2) + "\n-----END RSA PRIVATE KEY-----\n",
	"/.vscode/sftp.json":        `{"name":"prod","host":"203.0.113.7","protocol":"sftp","port":22,"username":"deploy","password":"x","remotePath":"/var/www"}`,
	"/sftp-config.json":         "{\n    // The tab key will cycle through the settings\n    \"type\": \"sftp\",\n    \"host\": \"example.com\",\n    \"user\": \"deploy\",\n    \"password\": \"x\",\n}\n",
	"/docker-compose.yml":       "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: x\n",
	"/.gitlab-ci.yml":           "stages:\n  - test\n  - deploy\ndeploy:\n  stage: deploy\n  script:\n    - rsync -a . deploy@example.com:/var/www\n",
	"/.circleci/config.yml":     "version: 2.1\njobs:\n  build:\n    docker:\n      - image: cimg/node:20.0\n    steps:\n      - checkout\n",
}

// probeDecoys are answers that are not the file: what catch-all pages,
// error pages and frameworks send for any path.
func probeDecoys(path string) map[string]string {
	return map[string]string{
		"html error page":   "<!doctype html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested URL " + path + " was not found on this server.</p></body></html>",
		"spa shell":         `<!doctype html><html><head><script type="module" src="/assets/index-4f2a.js"></script></head><body><div id="root"></div></body></html>`,
		"json 404":          `{"status":404,"error":"Not Found","message":"No static resource","path":"` + path + `"}`,
		"json ok":           `{"ok":true,"data":[]}`,
		"plain not found":   "Not Found\n",
		"plain text page":   "Welcome to our store!\nOpening hours: 9-17\nCall us: 555-0100\n",
		"robots-like":       "User-agent: *\nDisallow: /admin\n",
		"login page":        `<html><body><form method="post"><input name="password" type="password"> DB_PASSWORD= PHP Version [core] ref: refs/heads/main</form></body></html>`,
		"yaml-ish text":     "title: Shop\ndescription: Our store\n",
		"key value notice":  "status=error\nmessage=not found\n",
		"binary noise":      "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
		"one line sha-ish":  "not a commit: 3f786850e387550fdab836ed7e6dc881de23001b",
		"truncated gzip":    "\x1f\x8b",
		"gzip of html page": gz("<html>not found</html>"),
	}
}

// TestSensitiveFileProbes: every probed path has a true positive that its
// detector confirms, and none of the decoys is reported at any probed path
// (with a real 404 baseline, so only the content can decide).
func TestSensitiveFileProbes(t *testing.T) {
	nf := ckResp("https://example.com/palisade-0a1b.html", 404, "<html>gone</html>", "Content-Type: text/html")
	eval := func(path, body string) Outcome {
		ev := ckWith(nil, func(ev *Evidence) {
			ev.NotFound = nf
			ev.Probes = map[string]*Response{path: ckResp("https://example.com"+path, 200, body)}
		})
		return checkByID(t, idExposureSensitive).Evaluate(ev)
	}
	// Every probed path, and every other name a detector knows (paths
	// once probed, kept recognisable for a probe list read from elsewhere).
	paths := slices.Clone(ProbePaths)
	for p := range probeTruePositives {
		if !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	for _, path := range paths {
		body, ok := probeTruePositives[path]
		if !ok {
			t.Errorf("%s: no true positive in the table", path)
			continue
		}
		out := eval(path, body)
		if out.Status != StatusFail && out.Status != StatusWarn || len(out.Findings) != 1 || !strings.Contains(out.Findings[0].Title, path) {
			t.Errorf("%s: true positive not reported: %s %q %+v", path, out.Status, out.Value, out.Findings)
			continue
		}
		// Secrets are never shown: no value of the true positive's secret
		// lines is in the evidence.
		for _, secret := range []string{"hunter2", "sk_live_x", "ghp_", "npm_abc", "pypi-Ag", "wJalrXU", "ZGVwbG95", "eyJhbGci", "b3BlbnNz", "MIIEow", "postgres://u:p"} {
			if strings.Contains(out.Findings[0].Evidence, secret) {
				t.Errorf("%s: evidence shows a secret: %q", path, out.Findings[0].Evidence)
			}
		}
		for name, decoy := range probeDecoys(path) {
			if out := eval(path, decoy); out.Status != StatusPass {
				t.Errorf("%s, decoy %q: %s %q", path, name, out.Status, out.Value)
			}
		}
		// The same true positive is no finding when it is not a 2xx.
		for _, code := range []int{301, 403, 404, 500} {
			ev := ckWith(nil, func(ev *Evidence) {
				ev.NotFound = nf
				ev.Probes = map[string]*Response{path: ckResp("https://example.com"+path, code, body)}
			})
			if out := checkByID(t, idExposureSensitive).Evaluate(ev); out.Status != StatusPass {
				t.Errorf("%s answered %d: %s", path, code, out.Status)
			}
		}
	}
	// Each probe is a request under politeness (docs/BENCHMARKS.md, "DEEP
	// crawl"): a site that is not WordPress is asked for at most 30 paths.
	if first, _ := probeWaves(nil); len(first) > 30 {
		t.Errorf("%d probes for a site that is not WordPress: keep the first wave at 30 or fewer", len(first))
	}
}

// TestScanSensitiveFilesSites scans loopback sites at DEEP with the real
// check: catch-all sites of every kind give no finding, and a site with a
// real .env and .git/HEAD gives exactly those two.
func TestScanSensitiveFilesSites(t *testing.T) {
	home := "<!doctype html><html><head><title>Shop</title></head><body>" + strings.Repeat("<p>product</p>", 40) + "</body></html>"
	sites := map[string]struct {
		h    http.HandlerFunc
		want []string // finding titles
	}{
		"soft 404: 200 and the same page for every path": {h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, home)
		}},
		"soft 404 naming the path": {h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, home+"<p>Sorry, "+html.EscapeString(r.URL.Path)+" is not here.</p>")
		}},
		"redirect everything to /": {h: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/" {
				http.Redirect(w, r, "/", http.StatusFound)
				return
			}
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, home)
		}},
		"200 with an empty body": {h: func(w http.ResponseWriter, r *http.Request) {}},
		"json 404": {h: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" {
				fmt.Fprint(w, home)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"timestamp":"%s","status":404,"error":"Not Found","path":%q}`, time.Now().Format(time.RFC3339Nano), r.URL.Path)
		}},
		"json 200 echoing the path": {h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"ok":false,"error":"no route","path":%q}`, r.URL.Path)
		}},
		"plain text 200 for every path": {h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "OK\n")
		}},
		"soft 404 with a real .git/HEAD": {h: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/.git/HEAD" {
				fmt.Fprint(w, "ref: refs/heads/main\n")
				return
			}
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, home)
		}, want: []string{"Git repository (.git/HEAD) exposed at /.git/HEAD"}},
		"real .env and .git/HEAD": {h: func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/":
				fmt.Fprint(w, home)
			case "/.env":
				fmt.Fprint(w, "APP_ENV=production\nAPP_KEY=base64:c2VjcmV0\nDB_PASSWORD=hunter2\n")
			case "/.git/HEAD":
				fmt.Fprint(w, "ref: refs/heads/main\n")
			default:
				http.NotFound(w, r)
			}
		}, want: []string{"Environment file (.env) exposed at /.env", "Git repository (.git/HEAD) exposed at /.git/HEAD"}},
	}
	for name, site := range sites {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(site.h)
			defer srv.Close()
			s := newTestScanner(t, Options{}, []Check{checkExposureSensitiveFiles})
			res, err := s.Scan(context.Background(), srv.URL, Deep, nil)
			if err != nil || res.Error != "" {
				t.Fatalf("scan: %v %s", err, res.Error)
			}
			cr, ok := findCheck(res, idExposureSensitive)
			if !ok || cr.Status == StatusError || cr.Status == StatusSkipped {
				t.Fatalf("check result %+v", cr)
			}
			var got []string
			for _, f := range res.Findings {
				if f.CheckID == idExposureSensitive {
					got = append(got, f.Title)
					if strings.Contains(f.Evidence, "hunter2") {
						t.Errorf("evidence shows the secret: %q", f.Evidence)
					}
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, site.want) {
				t.Errorf("findings %q, want %q (%s %q)", got, site.want, cr.Status, cr.Value)
			}
			if len(site.want) == 0 && cr.Status != StatusPass {
				t.Errorf("status %s, want pass", cr.Status)
			}
		})
	}
}
