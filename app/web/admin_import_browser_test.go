package web

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAdminImport uploads a CSV file in headless Chromium: htmx sends
// it as multipart with the CSRF header (so the server streams it) and swaps
// the result in under the form.
func TestBrowserAdminImport(t *testing.T) {
	a := newTestApp(t, "sqlite")
	a.seed()
	boss := a.addStaff("mette@shop.example", "Mette Lund", "Shop manager", nil, true)
	file := filepath.Join(t.TempDir(), "orders.csv")
	if err := os.WriteFile(file, []byte(uploadFile), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := tab(t, newBrowser(t))
	browserSignIn(t, a, ctx, boss.Email, true)
	err := chromedp.Do(ctx,
		chromedp.Navigate(a.http.URL+"/admin/import"),
		chromedp.WaitVisible(chromedp.CSS(`#imp-file`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#imp-file`), []string{file}),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
	)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	waitText(t, ctx, "#import-result", "2 created, 0 updated, 0 unchanged, 2 failed.")
	waitText(t, ctx, "#import-result", "one of received, confirmed")
	screenshot(t, ctx, "admin-import")
	if _, err := a.store.OrderByRef(context.Background(), "W-4"); err != nil {
		t.Fatalf("W-4 not imported: %v", err)
	}
	// The page stayed: htmx swapped the result in, the form is still there.
	if url, err := chromedp.Run(ctx, chromedp.Location()); err != nil || url != a.http.URL+"/admin/import" {
		t.Fatalf("location %q %v", url, err)
	}
}
