package web

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
)

// artifactsDir is where browser tests leave screenshots: $KEDJA_ARTIFACTS,
// else artifacts/ at the repository root.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KEDJA_ARTIFACTS")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				dir = filepath.Join(d, "artifacts")
				break
			}
			if filepath.Dir(d) == d {
				dir = filepath.Join(wd, "artifacts")
				break
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// saveShots saves the tab's whole page at a phone's and a desktop's width.
func saveShots(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := artifactsDir(t)
	for _, w := range []int64{360, 1280} {
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(w, 800),
			chromedp.Sleep(150*time.Millisecond), // let the layout settle at the new width
		)
		var buf []byte
		if err == nil {
			buf, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		}
		if err != nil {
			t.Fatalf("screenshot %s at %d px: %v", name, w, err)
		}
		path := filepath.Join(dir, name+"-"+itoa(w)+".png")
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("saved %s", path)
	}
}

// deliverOrder is a staff member marking the order delivered, as the admin
// view and the API do: the row, the timeline event, then the live events.
func deliverOrder(t *testing.T, a *testApp, ref string, by *model.Staff) {
	t.Helper()
	ctx := context.Background()
	now := model.Normalize(a.clock.Now())
	err := a.store.WithTx(ctx, func(tx *store.Store) error {
		o, err := tx.OrderByRef(ctx, ref)
		if err != nil {
			return err
		}
		from := o.Status
		o.Status, o.DeliveredAt, o.RecipientName, o.DeliveryConfirmedBy = model.OrderDelivered, &now, "Birthe Hansen", by.FullName
		o.LastActivityAt, o.UpdatedAt = now, now
		if err := tx.UpdateOrder(ctx, o); err != nil {
			return err
		}
		ev := model.StaffActor(by).Stamp(&model.Event{CustomerID: o.CustomerID, OrderID: &o.ID, Kind: "status_changed",
			Data:            map[string]string{"from": from, "status": o.Status, "recipient_name": o.RecipientName, "confirmed_by": by.FullName},
			CustomerVisible: true, CreatedAt: now})
		if err := tx.InsertEvent(ctx, ev); err != nil {
			return err
		}
		cust := o.CustomerID
		tx.AfterCommit(func() {
			a.hub.Publish(live.CustomerTopic(cust), live.Event{Name: live.OrderEvent(ref)})
			a.hub.Publish(live.CustomerTopic(cust), live.Event{Name: "dashboard"})
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBrowserPortalEscalateAndLiveStatus: a customer signs in through the
// real flow, opens an order, escalates it and sees the manager's name; a
// second tab sees a staff member's status change arrive without a reload.
func TestBrowserPortalEscalateAndLiveStatus(t *testing.T) {
	bctx := newBrowser(t)
	w := newPortalWorld(t, "sqlite")
	a := w.app
	first := tab(t, bctx)
	browserSignIn(t, a, first, w.ann.Email, false)
	waitText(t, first, "main", "Ordre BQ-1001")
	saveShots(t, first, "portal-dashboard")

	err := chromedp.Do(first,
		chromedp.Click(chromedp.CSS(`a[href="/orders/BQ-1001"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#order-live`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, first, "#order-live", "Anna Holm")
	waitText(t, first, "#order-live", "Leder: Birgit Lund")
	saveShots(t, first, "portal-order")

	// One click escalates; the manager's name appears in place.
	if err := chromedp.Do(first, chromedp.EmulateViewport(1280, 900),
		chromedp.Click(chromedp.CSS(`#escalation button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, first, "#escalation", "Eskaleret til Birgit Lund, Butikschef")
	waitText(t, first, "#order-live .timeline", "Eskaleret til Birgit Lund")
	if n := w.counts(t)["escalations"]; n != 1 {
		t.Errorf("%d escalations after one click", n)
	}
	saveShots(t, first, "portal-order-escalated")

	// A second tab on the same order, marked so a reload would show.
	second := tab(t, bctx)
	if err := chromedp.Do(second,
		chromedp.Navigate(a.http.URL+"/orders/BQ-1001"),
		chromedp.WaitVisible(chromedp.CSS(`#order-live`)),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[string](`window.kedjaMarker = "still here"`)(ctx, tg)
			return err
		}),
	); err != nil {
		t.Fatal(err)
	}
	topic := live.CustomerTopic(w.ann.ID)
	deadline := time.Now().Add(20 * time.Second)
	for a.hub.Subscribers(topic) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the tabs did not open their event streams (%d)", a.hub.Subscribers(topic))
		}
		time.Sleep(50 * time.Millisecond)
	}
	deliverOrder(t, a, "BQ-1001", w.anna)
	waitText(t, second, "#order-live", "Leveret")
	waitText(t, second, "#order-live", "modtaget af Birthe Hansen")
	marker, err := chromedp.Run(second, chromedp.Evaluate[string](`window.kedjaMarker || ""`))
	if err != nil {
		t.Fatal(err)
	}
	if marker != "still here" {
		t.Error("the second tab reloaded instead of updating in place")
	}
	// The first tab updates too.
	waitText(t, first, "#order-live", "Leveret")
	saveShots(t, second, "portal-order-delivered")

	// The inquiry page and "What we know about you" at both widths.
	if err := chromedp.Do(second, chromedp.Navigate(a.http.URL+"/inquiries/"+itoa(w.annQ.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#inquiry-live`))); err != nil {
		t.Fatal(err)
	}
	saveShots(t, second, "portal-inquiry")
	if err := chromedp.Do(second, chromedp.Navigate(a.http.URL+"/me"),
		chromedp.WaitVisible(chromedp.CSS(`#me-name`))); err != nil {
		t.Fatal(err)
	}
	saveShots(t, second, "portal-me")
}
