package scanner

import (
	"strings"
	"testing"
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
	})
}
