package billing_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/palisade/palisade/app/apptest"
	"github.com/palisade/palisade/app/db"
	"github.com/palisade/palisade/billing"
	"github.com/palisade/palisade/ent"
)

// stripe-mock is built and started at most once per test binary, on first
// use, and stopped by TestMain. If it cannot be built or started the tests
// that need it fail: CI has the module proxy, so a missing mock is a bug.
var mock struct {
	once sync.Once
	url  string
	err  error
	cmd  *exec.Cmd
	dir  string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if mock.cmd != nil && mock.cmd.Process != nil {
		_ = mock.cmd.Process.Kill()
		_ = mock.cmd.Wait()
	}
	if mock.dir != "" {
		_ = os.RemoveAll(mock.dir)
	}
	os.Exit(code)
}

// stripeMock returns the base URL of the shared stripe-mock.
func stripeMock(t *testing.T) string {
	t.Helper()
	mock.once.Do(func() { mock.url, mock.err = startStripeMock() })
	if mock.err != nil {
		t.Fatalf("stripe-mock: %v", mock.err)
	}
	return mock.url
}

func startStripeMock() (string, error) {
	dir, err := os.MkdirTemp("", "palisade-stripe-mock-")
	if err != nil {
		return "", err
	}
	mock.dir = dir
	bin := filepath.Join(dir, "stripe-mock")
	build := exec.Command("go", "build", "-o", bin, "github.com/stripe/stripe-mock")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building (go build github.com/stripe/stripe-mock): %v\n%s", err, out)
	}
	// Port 0 on both listeners: the system picks free ports, so parallel
	// test binaries never collide; the HTTP one is read from the log.
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("starting: %v", err)
	}
	mock.cmd = cmd
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "Listening for HTTP at address: "); ok {
				addr <- strings.TrimSpace(a)
				break
			}
		}
		_, _ = io.Copy(io.Discard, out) // keep draining so the mock never blocks
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case <-time.After(30 * time.Second):
		return "", errors.New("no listening address after 30 s")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, base+"/v1/customers", nil)
		req.Header.Set("Authorization", "Bearer sk_test_123")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, nil
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("not answering at %s: %v", base, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// migrateMu serialises migrations: Ent's schema.Create fills in the
// generated (package-global) table descriptions on every call, which the
// race detector rightly flags when parallel tests migrate at once.
var migrateMu sync.Mutex

// newDB gives the test a migrated database of its own (SQLite, or
// PostgreSQL with PALISADE_TEST_DATABASE_URL) and returns it.
func newDB(t *testing.T) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, apptest.DatabaseURL(t))
	if err != nil {
		t.Fatalf("opening database: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	migrateMu.Lock()
	err = d.Migrate(ctx)
	migrateMu.Unlock()
	if err != nil {
		t.Fatalf("migrating: %v", err)
	}
	return d
}

const (
	whsec     = "whsec_palisade_test"
	pricePro  = "price_pro_test"
	priceEnt  = "price_enterprise_test"
	priceElse = "price_someone_else"
)

// webhookService is a service with a webhook secret and prices but no
// secret key: webhooks do not need the Stripe API.
func webhookService(t *testing.T, client *ent.Client) *billing.Service {
	return billing.NewService(billing.Config{
		WebhookSecret: whsec, PricePro: pricePro, PriceEnterprise: priceEnt,
	}, client, apptest.Logger(t))
}

// sign returns a valid Stripe-Signature header for payload.
func sign(payload []byte) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: whsec}).Header
}

type obj = map[string]any

// event builds a Stripe event body.
func event(id, typ string, created int64, object obj) []byte {
	b, err := json.Marshal(obj{
		"id": id, "object": "event", "api_version": stripe.APIVersion, "created": created,
		"livemode": false, "pending_webhooks": 1, "type": typ,
		"request": obj{"id": nil, "idempotency_key": nil},
		"data":    obj{"object": object},
	})
	if err != nil {
		panic(err)
	}
	return b
}

// subscription builds a subscription object in the 2023-10-16 shape.
func subscription(id, customer, status string, periodEnd int64, prices ...string) obj {
	items := []any{}
	for i, p := range prices {
		items = append(items, obj{"id": fmt.Sprintf("si_%s_%d", id, i), "object": "subscription_item",
			"price": obj{"id": p, "object": "price", "recurring": obj{"interval": "month"}}, "quantity": 1})
	}
	return obj{"id": id, "object": "subscription", "customer": customer, "status": status,
		"current_period_end": periodEnd, "cancel_at_period_end": false,
		"items": obj{"object": "list", "data": items}}
}

// checkoutSession builds a completed, paid subscription Checkout Session
// as Service.Checkout creates them.
func checkoutSession(id, accountID, customer, sub string, plan billing.PlanID) obj {
	return obj{"id": id, "object": "checkout.session", "mode": "subscription", "status": "complete",
		"payment_status": "paid", "client_reference_id": accountID, "customer": customer,
		"subscription": sub, "metadata": obj{"account_id": accountID, "plan": string(plan)}}
}

// invoice builds an invoice object for a subscription.
func invoice(id, customer, sub string) obj {
	return obj{"id": id, "object": "invoice", "customer": customer, "subscription": sub, "status": "open"}
}
