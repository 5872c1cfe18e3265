package web

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kedja/kedja/app/config"
	"github.com/kedja/kedja/mailer"
	"github.com/kedja/kedja/mailer/mailtest"
)

// TestBrowserMissedPromiseLive: a staff member replies with a promise and
// its one-click deadline; the customer's open page names it; the clock
// moves past it and the automatic check runs; the customer's page — not
// reloaded — shows the missed promise and the manager who holds the case
// now; and the honest email reaches the customer, in Danish, through a
// real SMTP server.
func TestBrowserMissedPromiseLive(t *testing.T) {
	bctx := newBrowser(t)
	w := newPortalWorld(t, "sqlite")
	a := w.app
	path := "/admin/inquiries/" + itoa(w.annQ.ID)

	staff := tab(t, bctx)
	browserSignIn(t, a, staff, w.anna.Email, true)
	err := chromedp.Do(staff,
		chromedp.Navigate(a.http.URL+path),
		chromedp.WaitVisible(chromedp.CSS(`#reply-body`)),
		chromedp.SendKeys(chromedp.CSS(`#reply-body`), "I have asked accounting for the corrected copy."),
		chromedp.Click(chromedp.CSS(`#next-staff`)),
		chromedp.SendKeys(chromedp.CSS(`#next-what`), "send the invoice copy"),
		chromedp.Click(chromedp.CSS(`input[name=due][value=target]`)),
		chromedp.Submit(chromedp.CSS(`#reply-body`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, staff, "#promises", "“send the invoice copy”")
	fits(t, staff)
	saveShots(t, staff, "admin-inquiry-promise")

	cust := tab(t, bctx)
	browserSignIn(t, a, cust, w.ann.Email, false)
	if err := chromedp.Do(cust, chromedp.Navigate(a.http.URL+"/inquiries/"+itoa(w.annQ.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#next-step`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, cust, "#next-step", "Anna Holm har lovet: »send the invoice copy«")
	waitStream(t, cust)

	// The promise was due after the reply-time target (24 hours): a day
	// and a minute later the check finds it missed.
	a.clock.Add(24*time.Hour + time.Minute)
	// (Bob's question, unanswered since the start, is missed too.)
	n, err := a.escalations.Check(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("check: %d %v", n, err)
	}
	waitText(t, cust, "#next-step", "Overskredet: Anna Holm lovede »send the invoice copy«")
	waitText(t, cust, "#next-step", "Birgit Lund har nu din sag og svarer senest")
	waitText(t, cust, "#inquiry-side", "Et løfte til dig blev ikke holdt")
	fits(t, cust)
	saveShots(t, cust, "portal-missed-promise")

	// The customer's email, through the real mailer to a real SMTP server.
	smtp := mailtest.Start(t)
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"KEDJA_BASE_URL": "http://portal.test", "KEDJA_SMTP_URL": smtp.URL().String(),
			"KEDJA_BUSINESS_NAME": "Blomsterhuset"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	worker, err := mailer.New(cfg, a.store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, m := range smtp.Messages() {
		if m.To[0] != w.ann.Email || !strings.HasPrefix(m.Subject(), "Vi holdt ikke, hvad vi lovede") {
			continue
		}
		found = true
		text, html, err := m.Parts()
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range []string{text, html} {
			for _, want := range []string{"Overskredet: Anna Holm lovede »send the invoice copy«", "Birgit Lund", "Butikschef",
				"har nu din sag og svarer dig senest", "http://portal.test/inquiries/" + itoa(w.annQ.ID)} {
				if !strings.Contains(part, strings.ReplaceAll(want, "»", "")) && !strings.Contains(part, want) {
					t.Errorf("the email lacks %q:\n%s", want, part)
				}
			}
		}
		if strings.Contains(text, "asked for a manager") || strings.Contains(text, "bad om en leder") {
			t.Errorf("the email says the customer asked for a manager:\n%s", text)
		}
	}
	if !found {
		var subjects []string
		for _, m := range smtp.Messages() {
			subjects = append(subjects, m.To[0]+": "+m.Subject())
		}
		t.Fatalf("no missed-promise email to %s; sent: %v", w.ann.Email, subjects)
	}
}

// fits fails when the tab's page is wider than a 360 px phone screen.
func fits(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 800), chromedp.Sleep(150*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if wide > 360 {
		t.Errorf("the page is %d px wide at a 360 px screen", wide)
	}
}

// TestBrowserPromisePagesFit: the new pages fit a 360 px phone — the
// resolved inquiry with "Did this solve it?" and reopen, the mail links'
// confirm pages, the staff's Promises, Late orders and settings — and the
// customer reopens a resolved inquiry with one click.
func TestBrowserPromisePagesFit(t *testing.T) {
	bctx := newBrowser(t)
	w := newPortalWorld(t, "sqlite")
	a := w.app
	ctx := context.Background()
	if err := a.inquiries.Resolve(ctx, w.annQ.ID, w.anna, "The corrected copy is attached to your order page."); err != nil {
		t.Fatal(err)
	}
	deliverOrder(t, a, "BQ-1001", w.anna)
	q := "/inquiries/" + itoa(w.annQ.ID)

	cust := tab(t, bctx)
	browserSignIn(t, a, cust, w.ann.Email, false)
	for _, p := range []string{q, q + "/feedback?solved=no", "/orders/BQ-1001/not-arrived", "/orders/BQ-1001", "/"} {
		if err := chromedp.Do(cust, chromedp.Navigate(a.http.URL+p), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		fits(t, cust)
	}
	if err := chromedp.Do(cust, chromedp.Navigate(a.http.URL+q), chromedp.WaitVisible(chromedp.CSS(`#reopen button`))); err != nil {
		t.Fatal(err)
	}
	saveShots(t, cust, "portal-resolved")
	if err := chromedp.Do(cust, chromedp.Click(chromedp.CSS(`#reopen button`)), chromedp.WaitNotPresent(chromedp.CSS(`#reopen`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, cust, "#next-step", "Anna Holm svarer senest")

	// The staff in a browser of their own: a browser keeps six connections
	// to a host, and the customer's pages' event streams linger in them.
	staff := tab(t, newBrowser(t))
	browserSignIn(t, a, staff, w.boss.Email, true)
	for _, p := range []string{"/admin/promises", "/admin/late-orders", "/admin/settings", "/admin", "/admin/escalations"} {
		if err := chromedp.Do(staff, chromedp.Navigate(a.http.URL+p), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		fits(t, staff)
	}
	saveShots(t, staff, "admin-promises-home")
}
