package web

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kedja/kedja/app/testenv"
)

const chromiumPath = "/usr/bin/chromium"

// newBrowser starts headless Chromium for one test; each tab made from the
// returned context shares its cookies.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		testenv.Missing(t, "Chromium", chromiumPath+" not found")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 1000),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelB(); cancelA() })
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		testenv.Missing(t, "Chromium", err.Error())
	}
	return bctx
}

// tab opens a new tab in the browser of bctx, bounded by a generous deadline.
func tab(t *testing.T, bctx context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(bctx)
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelT(); cancel() })
	return ctx
}

// browserSignIn signs a tab in through the real magic-link flow.
func browserSignIn(t *testing.T, a *testApp, ctx context.Context, email string, staff bool) {
	t.Helper()
	login := "/login"
	if staff {
		login = "/admin/login"
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(a.http.URL+login),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), email),
		chromedp.Submit(chromedp.CSS(`#email`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#email`)),
	)
	if err != nil {
		t.Fatalf("sign-in form: %v", err)
	}
	path := a.lastSignInPath(email)
	err = chromedp.Do(ctx,
		chromedp.Navigate(a.http.URL+path),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`main form[action="`+path+`"]`)),
	)
	if err != nil {
		t.Fatalf("confirm sign-in: %v", err)
	}
}

// waitText polls the page until the element holds want.
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var text string
	for time.Now().Before(deadline) {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(`+strconv.Quote(sel)+`)||{}).innerText||""`))
		if err == nil {
			text = got
			if strings.Contains(text, want) {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s never showed %q; it shows:\n%s", sel, want, text)
}

// screenshot saves the tab's page to $KEDJA_SCREENSHOTS/name.png when that
// variable names a folder (for looking at the pages while developing).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("KEDJA_SCREENSHOTS")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	_ = os.WriteFile(dir+"/"+name+".png", buf, 0o644)
}

func TestBrowserAdminReplyLive(t *testing.T) {
	bctx := newBrowser(t)
	a := newTestApp(t, "sqlite")
	anna, cust, order := a.seed()
	q := a.addInquiry(cust, order, anna, "Did the condolence bouquet arrive?", 2*time.Hour)
	path := "/admin/inquiries/" + itoa(q.ID)

	staff := tab(t, bctx)
	browserSignIn(t, a, staff, anna.Email, true)
	if err := chromedp.Do(staff, chromedp.Navigate(a.http.URL+"/admin"), chromedp.WaitVisible(chromedp.CSS(`#queue`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, staff, "#queue", "Did the condolence bouquet arrive?")
	waitText(t, staff, "#count-queue", "1")
	screenshot(t, staff, "queue")

	reply := "Yes: Jonas delivered it to Birthe Hansen at 14:10."
	err := chromedp.Do(staff,
		chromedp.Navigate(a.http.URL+path),
		chromedp.WaitVisible(chromedp.CSS(`#reply-body`)),
		chromedp.SendKeys(chromedp.CSS(`#reply-body`), reply),
		chromedp.Submit(chromedp.CSS(`#reply-body`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, staff, "#conversation", reply)
	waitText(t, staff, "#inquiry-status", "Waiting on customer")
	screenshot(t, staff, "inquiry")
	if m := a.outboxTo("staff_reply", cust.Email); len(m) != 1 {
		t.Fatalf("%d reply emails", len(m))
	}

	// The open inquiry page updates by itself when a colleague writes.
	waitStream(t, staff)
	jonas := a.addStaff("jonas@shop.example", "Jonas Berg", "Driver", nil, false)
	if _, err := a.inquiries.Note(context.Background(), q.ID, jonas, "Birthe signed for it."); err != nil {
		t.Fatal(err)
	}
	waitText(t, staff, "#conversation", "Birthe signed for it.")

	// The queue updates by itself when a case changes hands.
	if err := chromedp.Do(staff, chromedp.Navigate(a.http.URL+"/admin"), chromedp.WaitVisible(chromedp.CSS(`#queue`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, staff, "#queue", "Anna Holm")
	waitStream(t, staff)
	if err := a.inquiries.Reassign(context.Background(), q.ID, jonas.ID, anna); err != nil {
		t.Fatal(err)
	}
	waitText(t, staff, "#queue", "Jonas Berg")
	waitText(t, staff, "#count-mine", "0")
}

// waitStream waits until the tab's page has its event stream open, so an
// event published next reaches it.
func waitStream(t *testing.T, ctx context.Context) {
	t.Helper()
	const open = `(() => { const e = document.querySelector('[sse-connect]'); const d = e && e['htmx-internal-data'];
		return !!(d && d.sseEventSource && d.sseEventSource.readyState === 1); })()`
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](open)); err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the page never opened its event stream")
}
