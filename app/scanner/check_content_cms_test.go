package scanner

import "testing"

// TestCheckContentCMS fingerprints WordPress core, plugins and themes, and
// flags mass-exploited plugin versions and end-of-life cores.
func TestCheckContentCMS(t *testing.T) {
	p := func(body string) *Evidence { return ckEv(ckPage(body)) }
	const wp = `<link rel="stylesheet" href="https://example.com/wp-includes/css/dist/block-library/style.min.css?ver=6.4.2">` +
		`<link rel="stylesheet" href="https://example.com/wp-content/themes/astra/style.css?ver=4.5.2">`
	runCheckCases(t, []checkCase{
		{name: "not a cms", id: idContentCMS, ev: p(`<script src="/app.js"></script>`), want: StatusSkipped, value: "skipped", score: -1},
		{name: "wordpress via ver", id: idContentCMS, ev: p(wp), want: StatusPass, value: "WordPress 6.4.2; themes: astra", score: 1},
		{name: "generator disclosed", id: idContentCMS, ev: p(`<meta name="generator" content="WordPress 6.5.3">` + wp), want: StatusPass, value: "WordPress 6.5.3", score: 0.8, find: "wp_generator"},
		{name: "plugins listed", id: idContentCMS, ev: p(wp + `<script src="/wp-content/plugins/contact-form-7/includes/js/index.js?ver=5.8.4"></script><link rel="stylesheet" href="/wp-content/plugins/woocommerce/assets/css/woocommerce.css?ver=8.4.0">`),
			want: StatusPass, value: "plugins: contact-form-7 5.8.4, woocommerce 8.4.0", score: 1},
		{name: "vulnerable file manager", id: idContentCMS, ev: p(wp + `<script src="/wp-content/plugins/wp-file-manager/lib/js/elfinder.min.js?ver=6.8"></script>`), want: StatusFail, value: "wp-file-manager 6.8", score: 0, find: "CVE-2020-25213"},
		{name: "vulnerable contact form 7", id: idContentCMS, ev: p(wp + `<script src="/wp-content/plugins/contact-form-7/includes/js/scripts.js?ver=5.1.1"></script>`), want: StatusFail, score: 0, find: "CVE-2020-35489"},
		{name: "plugin ver equal to core is unknown", id: idContentCMS, ev: p(wp + `<script src="/wp-content/plugins/wp-file-manager/x.js?ver=6.4.2"></script>`), want: StatusPass, value: "plugins: wp-file-manager;", score: 1},
		{name: "old wordpress", id: idContentCMS, ev: p(`<meta name="generator" content="WordPress 4.9.8">`), want: StatusWarn, value: "WordPress 4.9.8", score: 0.25},
		{name: "drupal 7 eol", id: idContentCMS, ev: p(`<meta name="Generator" content="Drupal 7 (https://www.drupal.org)">`), want: StatusWarn, value: "Drupal 7", score: 0.25},
		{name: "drupal 10", id: idContentCMS, ev: p(`<meta name="Generator" content="Drupal 10 (https://www.drupal.org)">`), want: StatusPass, score: 1},
		{name: "plugin on crawled page", id: idContentCMS, ev: ckWith(ckPage(wp), func(ev *Evidence) {
			ev.Pages = append(ev.Pages, ckResp("https://example.com/contact", 200, `<script src="/wp-content/plugins/ultimate-member/assets/js/um.js?ver=2.6.6"></script>`, "Content-Type: text/html"))
		}), want: StatusFail, score: 0, find: "CVE-2023-3460"},
		{name: "page missing", id: idContentCMS, ev: ckWith(nil, func(ev *Evidence) { ev.PageErr = "x" }), want: StatusError, score: -1},
	})
}
