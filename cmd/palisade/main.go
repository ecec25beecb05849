// Command palisade is the whole product in one binary: the web app, the API
// and the scan workers (`serve`, the default), plus the operator commands of
// the README (Operator commands).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/palisade/palisade/app"
	"github.com/palisade/palisade/app/auth"
	"github.com/palisade/palisade/app/config"
	"github.com/palisade/palisade/app/domain"
	"github.com/palisade/palisade/app/errs"
	"github.com/palisade/palisade/app/scanner"
	"github.com/palisade/palisade/app/scans"
	"github.com/palisade/palisade/billing"
)

const usage = `usage: palisade [command]

commands:
  serve                      web app, API and scan workers (the default)
  migrate                    apply the schema and exit
  user add --email E --password-stdin [--account NAME] [--plan free|pro|enterprise]
  key add --email E --name N [--expires-in DAYS]
  key list --email E
  key revoke --email E --id KEY_ID
  plan set --email E --plan P
  scan URL [--depth QUICK|STANDARD|DEEP] [--json]   (exit 3: the site could not be graded)
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(log)
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	if len(args) > 0 && (cmd == "user" || cmd == "key" || cmd == "plan") {
		cmd, args = cmd+" "+args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(log)
	case "migrate":
		err = withContainer(log, func(ctx context.Context, c *app.Container) error {
			log.Info("schema migrated", "database", redactURL(c.Config.DatabaseURL))
			return nil
		})
	case "user add":
		err = userAdd(log, args, stdin, stdout)
	case "key add":
		err = keyAdd(log, args, stdout)
	case "key list":
		err = keyList(log, args, stdout)
	case "key revoke":
		err = keyRevoke(log, args, stdout)
	case "plan set":
		err = planSet(log, args, stdout)
	case "scan":
		err = scanCmd(args, stdout)
		var ng notGradedError
		if errors.As(err, &ng) {
			// The result (and with --json, the JSON) is printed; say why there is no grade.
			fmt.Fprintf(stderr, "could not scan: %s\n", clean(ng.Detail))
			if ng.Advice != "" {
				fmt.Fprintf(stderr, "try: %s\n", clean(ng.Advice))
			}
			return exitNotGraded
		}
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "palisade: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "palisade: %v\n\n%s", err, usage)
			return 2
		}
		fmt.Fprintf(stderr, "palisade: %v\n", err)
		return 1
	}
	return 0
}

type usageError struct{ error }

func serve(log *slog.Logger) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	c, err := app.New(ctx, cfg, app.Options{Logger: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		_ = c.Shutdown(context.Background())
		return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	if err := c.Start(ctx); err != nil {
		_ = c.Shutdown(context.Background())
		return err
	}
	log.Info("palisade listening", "addr", ln.Addr().String(), "url", cfg.BaseURL,
		"database", redactURL(cfg.DatabaseURL), "workers", cfg.Workers, "tls", cfg.TLS())
	err = c.Listen(ctx, ln)
	log.Info("palisade stopped", "err", err)
	return err
}

// withContainer runs fn against a migrated database without starting workers.
func withContainer(log *slog.Logger, fn func(ctx context.Context, c *app.Container) error) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	ctx := context.Background()
	c, err := app.New(ctx, cfg, app.Options{Logger: log, NoWorkers: true})
	if err != nil {
		return err
	}
	defer c.Shutdown(ctx)
	return fn(ctx, c)
}

func userAdd(log *slog.Logger, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "e-mail address of the owner")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	accountName := fs.String("account", "", "account name")
	plan := fs.String("plan", "free", "free, pro or enterprise")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *email == "" || !*pwStdin {
		return usageError{errors.New("user add needs --email and --password-stdin")}
	}
	p, err := billing.ParsePlan(*plan)
	if err != nil {
		return usageError{err}
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	return withContainer(log, func(ctx context.Context, c *app.Container) error {
		acc, u, err := c.Auth.SignUp(ctx, auth.SignUpInput{Email: *email, Password: password, AccountName: *accountName, Plan: p})
		if err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(map[string]string{"accountId": acc.ID, "userId": u.ID})
	})
}

func keyAdd(log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("key add", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "e-mail address of a user of the account")
	name := fs.String("name", "", "a name for the key, e.g. CI")
	days := fs.Int("expires-in", 0, "days until the key expires (0: never)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *email == "" || *name == "" {
		return usageError{errors.New("key add needs --email and --name")}
	}
	if *days < 0 {
		return usageError{errors.New("--expires-in must be 0 (never) or a number of days")}
	}
	var expires *time.Time
	if *days > 0 {
		t := time.Now().UTC().AddDate(0, 0, *days)
		expires = &t
	}
	return withContainer(log, func(ctx context.Context, c *app.Container) error {
		u, err := c.Auth.UserByEmail(ctx, *email)
		if err != nil {
			return err
		}
		_, plain, err := c.Auth.CreateKey(ctx, u.AccountID, *name, u.ID, expires)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, plain)
		return err
	})
}

func keyList(log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("key list", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "e-mail address of a user of the account")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *email == "" {
		return usageError{errors.New("key list needs --email")}
	}
	return withContainer(log, func(ctx context.Context, c *app.Container) error {
		u, err := c.Auth.UserByEmail(ctx, *email)
		if err != nil {
			return err
		}
		keys, err := c.Auth.Keys(ctx, u.AccountID)
		if err != nil {
			return err
		}
		type row struct {
			ID           string     `json:"id"`
			Name         string     `json:"name"`
			Prefix       string     `json:"prefix"`
			CreatedAt    time.Time  `json:"createdAt"`
			LastUsedAt   *time.Time `json:"lastUsedAt"`
			RequestCount int64      `json:"requestCount"`
			ExpiresAt    *time.Time `json:"expiresAt"`
			RevokedAt    *time.Time `json:"revokedAt"`
			// State is auth.StateOf, the same word the web page shows.
			State auth.KeyState `json:"state"`
		}
		enc := json.NewEncoder(stdout)
		now := time.Now()
		for _, k := range keys {
			if err := enc.Encode(row{k.ID, k.Name, k.Prefix, k.CreatedAt, k.LastUsedAt, k.RequestCount, k.ExpiresAt, k.RevokedAt, auth.StateOf(k, now)}); err != nil {
				return err
			}
		}
		return nil
	})
}

func keyRevoke(log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("key revoke", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "e-mail address of a user of the account")
	id := fs.String("id", "", "the key's id (from key list)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *email == "" || *id == "" {
		return usageError{errors.New("key revoke needs --email and --id")}
	}
	return withContainer(log, func(ctx context.Context, c *app.Container) error {
		u, err := c.Auth.UserByEmail(ctx, *email)
		if err != nil {
			return err
		}
		if err := c.Auth.RevokeKey(ctx, u.AccountID, *id); err != nil {
			if errors.Is(err, errs.ErrNotFound) {
				return fmt.Errorf("the account has no active key %s", *id)
			}
			return err
		}
		_, err = fmt.Fprintf(stdout, "revoked %s\n", *id)
		return err
	})
}

func planSet(log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("plan set", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "e-mail address of a user of the account")
	plan := fs.String("plan", "", "free, pro or enterprise")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *email == "" || *plan == "" {
		return usageError{errors.New("plan set needs --email and --plan")}
	}
	p, err := billing.ParsePlan(*plan)
	if err != nil {
		return usageError{err}
	}
	return withContainer(log, func(ctx context.Context, c *app.Container) error {
		u, err := c.Auth.UserByEmail(ctx, *email)
		if err != nil {
			return err
		}
		if err := c.Auth.SetPlan(ctx, u.AccountID, p); err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(map[string]string{"accountId": u.AccountID, "plan": string(p)})
	})
}

// exitNotGraded is the exit code of `palisade scan` when the scan could not
// run (unreachable, blocked, cancelled, failed): there is no grade to act on.
const exitNotGraded = 3

// notGradedError ends `palisade scan` with exitNotGraded.
type notGradedError struct{ *scanner.NotGraded }

func (e notGradedError) Error() string { return "could not scan: " + e.Detail }

// clean makes text that may come from the scanned site safe for a
// terminal: control characters (escape sequences, carriage returns) are dropped.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

// scanCmd runs one scan in-process, with no database, and prints the result.
func scanCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	depthFlag := fs.String("depth", "STANDARD", "QUICK, STANDARD or DEEP")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	// Accept the URL before or after the flags.
	var target string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		target, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if target == "" && fs.NArg() > 0 {
		target = fs.Arg(0)
	}
	if target == "" {
		return usageError{errors.New("scan needs a URL")}
	}
	depth, ok := scanner.ParseDepth(*depthFlag)
	if !ok {
		return usageError{fmt.Errorf("unknown depth %q: use QUICK, STANDARD or DEEP", *depthFlag)}
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	roots, err := cfg.ScanRootCAs()
	if err != nil {
		return err
	}
	sc, err := scanner.New(scanner.Options{AllowCIDRs: cfg.ScanAllowCIDRs, RootCAs: roots, DNSServer: cfg.DNSServer})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	t, err := sc.Validate(ctx, target)
	if err != nil {
		return err
	}
	created := time.Now().UTC()
	// ScanTarget connects to the addresses Validate just checked: one
	// resolution of the host for the whole command.
	res, scanErr := sc.ScanTarget(ctx, t, depth, nil)
	if res == nil {
		return scanErr
	}
	completed := time.Now().UTC()
	status, msg := domain.StatusCompleted, ""
	switch {
	case ctx.Err() != nil:
		status, msg = domain.StatusCancelled, "cancelled"
	case scanErr != nil:
		status, msg = domain.StatusFailed, scanErr.Error()
	case res.Error != "" && res.StatusCode == 0:
		status, msg = domain.StatusFailed, res.Error
	case res.NotGraded != nil:
		status, msg = scans.StatusOf(res)
	}
	if res.Error == "" && msg != "" && status != domain.StatusCompleted {
		res.Error = msg
	}
	if res.ScannedAt.IsZero() {
		res.ScannedAt = created
	}
	scans.SettleResult(res, status, msg)
	sum := scans.ScanSummary{
		ID: "local", TargetURL: t.URL, TargetDomain: t.Domain, Depth: depth, Status: status,
		FindingsCount: len(res.Findings), CreatedAt: created, CompletedAt: &completed,
	}
	if status == domain.StatusCompleted && res.NotGraded == nil {
		score, grade := res.OverallScore, res.Grade
		sum.OverallScore, sum.Grade = &score, &grade
	}
	d := scans.DetailOf(sum, res, nil)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			return err
		}
	} else {
		printScan(stdout, t.Domain, status, res)
	}
	if res.NotGraded != nil {
		return notGradedError{res.NotGraded}
	}
	return nil
}

// printScan prints a result for people: the verdict line (with the cap that
// explains a grade worse than the score), the scoring version, what was
// read (coverage), the checks
// that did not run or could not be evaluated and why, then the findings.
func printScan(w io.Writer, domainName string, status domain.ScanStatus, res *scanner.Result) {
	host := clean(domainName)
	if u, err := url.Parse(res.TargetURL); err == nil && u.Port() != "" {
		host = clean(u.Host)
	}
	if res.NotGraded != nil {
		fmt.Fprintf(w, "%s  %s  not graded (%s)  (%s, %d ms)\n", host, status, res.NotGraded.Reason, res.Depth, res.DurationMs)
	} else {
		fmt.Fprintf(w, "%s  %s  grade %s  score %d/100  (%s, %d ms)\n", host, status, clean(res.Grade), res.OverallScore, res.Depth, res.DurationMs)
		if c := res.GradeCap; c != nil {
			fmt.Fprintf(w, "  grade %s — capped: %s\n", clean(c.Grade), clean(c.Reason))
		}
	}
	if res.ScoringVersion != "" {
		fmt.Fprintf(w, "  scoring %s\n", clean(res.ScoringVersion))
	}
	// What was read, and what a limit left unread (docs/scoring.md, "Coverage").
	if c := res.Coverage; c != nil {
		fmt.Fprintf(w, "  read    %s\n", clean(c.Summary()))
		if l := c.Limits(); l != "" {
			fmt.Fprintf(w, "  not everything was read: %s\n", clean(l))
		}
	}
	// A scan that was not graded judged nothing: its checks are all errors
	// or skipped for the same reason the headline gives, so they are not
	// listed. Otherwise each error is listed and the skipped checks are
	// grouped by reason ("runs at DEEP scans; …"), one line per reason.
	if res.NotGraded == nil {
		var reasons []string
		skipped := map[string][]string{}
		for _, cat := range res.Categories {
			for _, ch := range cat.Checks {
				switch ch.Status {
				case scanner.StatusError:
					fmt.Fprintf(w, "  error   %s (%s)", clean(ch.Name), clean(ch.ID))
					if ch.Reason != "" {
						fmt.Fprintf(w, ": %s", clean(ch.Reason))
					}
					fmt.Fprintln(w)
				case scanner.StatusSkipped:
					if _, seen := skipped[ch.Reason]; !seen {
						reasons = append(reasons, ch.Reason)
					}
					skipped[ch.Reason] = append(skipped[ch.Reason], clean(ch.ID))
				}
			}
		}
		for _, r := range reasons {
			fmt.Fprintf(w, "  skipped %s", strings.Join(skipped[r], ", "))
			if r != "" {
				fmt.Fprintf(w, ": %s", clean(r))
			}
			fmt.Fprintln(w)
		}
	}
	for _, f := range res.Findings {
		fmt.Fprintf(w, "  [%s] %s (%s)\n", f.Severity, clean(f.Title), clean(f.CheckID))
	}
	if res.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", clean(res.Error))
	}
}

// redactURL hides a password in a database URL for logs.
func redactURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		if user, _, ok := strings.Cut(rest[:at], ":"); ok {
			return scheme + "://" + user + ":***@" + rest[at+1:]
		}
	}
	return u
}
