package web

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/notify"
)

// TestBrowserAdminAcknowledgeLive: a customer escalates her order with one
// click; the manager acknowledges it in /admin/escalations and the
// customer's open order page shows the acknowledgement with the manager's
// name without a reload; then the manager marks the order delivered through
// the order page's form and the customer's page shows that too.
func TestBrowserAdminAcknowledgeLive(t *testing.T) {
	bctx := newBrowser(t)
	w := newPortalWorld(t, "sqlite")
	a := w.app

	customer := tab(t, bctx)
	browserSignIn(t, a, customer, w.ann.Email, false)
	err := chromedp.Do(customer,
		chromedp.Navigate(a.http.URL+"/orders/BQ-1001"),
		chromedp.WaitVisible(chromedp.CSS(`#escalation button[type=submit]`)),
		chromedp.Click(chromedp.CSS(`#escalation button[type=submit]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, customer, "#escalation", "Eskaleret til Birgit Lund")
	e, err := a.store.OpenEscalation(context.Background(), "order:"+itoa(w.annOrder.ID))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(customer, chromedp.Evaluate[string](`window.kedjaMarker = "still here"`)); err != nil {
		t.Fatal(err)
	}

	manager := tab(t, bctx)
	browserSignIn(t, a, manager, w.boss.Email, true)
	ack := `#ack-` + itoa(e.ID)
	if err := chromedp.Do(manager, chromedp.Navigate(a.http.URL+"/admin/escalations"), chromedp.WaitVisible(chromedp.CSS(ack))); err != nil {
		t.Fatal(err)
	}
	waitText(t, manager, "#escalation-"+itoa(e.ID), "Waiting for a manager")
	saveShots(t, manager, "admin-escalations")

	// The customer's page listens before the manager clicks.
	topic := live.CustomerTopic(w.ann.ID)
	for deadline := time.Now().Add(20 * time.Second); a.hub.Subscribers(topic) < 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the customer's page never opened its event stream")
		}
	}
	if err := chromedp.Do(manager, chromedp.EmulateViewport(1280, 900), chromedp.Click(chromedp.CSS(ack))); err != nil {
		t.Fatal(err)
	}
	waitText(t, manager, "main", "Acknowledged. The customer can see you have taken it.")
	waitText(t, customer, "#escalation", "Birgit Lund tog sig af sagen")
	waitText(t, customer, "#order-live .timeline", "Birgit Lund har taget sig af eskaleringen")
	if n := len(a.outboxTo(notify.EscalationAcknowledged, w.ann.Email)); n != 1 {
		t.Errorf("%d acknowledgement emails", n)
	}
	saveShots(t, customer, "portal-order-acknowledged")

	// Mark delivered through the form; the customer's page follows.
	err = chromedp.Do(manager,
		chromedp.Navigate(a.http.URL+"/admin/orders/BQ-1001"),
		chromedp.WaitVisible(chromedp.CSS(`#od-recipient`)),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[string](`document.querySelector("#od-recipient").value = ""`)(ctx, tg)
			return err
		}),
		chromedp.SendKeys(chromedp.CSS(`#od-recipient`), "Birthe Hansen"),
	)
	if err != nil {
		t.Fatal(err)
	}
	saveShots(t, manager, "admin-order")
	if err := chromedp.Do(manager, chromedp.EmulateViewport(1280, 900),
		chromedp.Click(chromedp.CSS(`#order-delivered button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, manager, "main", "Marked delivered.")
	waitText(t, manager, "#order-status", "Delivered")
	waitText(t, customer, "#order-live", "Leveret, modtaget af Birthe Hansen")
	if n := len(a.outboxTo(notify.DeliveryConfirmation, w.ann.Email)); n != 1 {
		t.Errorf("%d delivery confirmations", n)
	}
	marker, err := chromedp.Run(customer, chromedp.Evaluate[string](`window.kedjaMarker || ""`))
	if err != nil {
		t.Fatal(err)
	}
	if marker != "still here" {
		t.Error("the customer's page reloaded instead of updating in place")
	}
	if got := a.orderNow("BQ-1001"); got.DeliveryConfirmedBy != "Birgit Lund" {
		t.Errorf("confirmed by %q", got.DeliveryConfirmedBy)
	}

	// The customer page with the on-behalf form, at both widths.
	if err := chromedp.Do(manager, chromedp.Navigate(a.http.URL+"/admin/customers/"+itoa(w.ann.ID)+"?order=BQ-1001"),
		chromedp.WaitVisible(chromedp.CSS(`#oi-subject`))); err != nil {
		t.Fatal(err)
	}
	saveShots(t, manager, "admin-customer")
}
