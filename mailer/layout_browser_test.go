package mailer

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kedja/kedja/app/i18n"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/testenv"
)

const chromiumPath = "/usr/bin/chromium"

// longData makes the sample data as long as real data gets: long names and
// words, a 14-digit tracking number, long URLs, a long subject and reason.
func longData(d map[string]string) {
	long := map[string]string{
		"customer_name":   "Anna-Kristina Vestergaard-Johannessen",
		"owner_name":      "Maximiliaan van Oldenbarnevelt-Lichtenstein",
		"owner_title":     "Kundeserviceansvarlig og leveringskoordinator",
		"owner_email":     "maximiliaan.vanoldenbarnevelt-lichtenstein@blomsterhuset-kobenhavn.example",
		"author_name":     "Maximiliaan van Oldenbarnevelt-Lichtenstein",
		"author_title":    "Kundeserviceansvarlig og leveringskoordinator",
		"manager_name":    "Christoffer Skovgaard-Rasmussen",
		"manager_title":   "Butikschef og ansvarlig for eskaleringer",
		"manager_email":   "christoffer.skovgaard-rasmussen@blomsterhuset-kobenhavn.example",
		"manager_phone":   "+45 12 34 56 78 90 12",
		"customer_email":  "anna-kristina.vestergaard-johannessen@eksempel-postkasse.example",
		"subject":         "Fakturakopi til ordre BH-1010-2026-KØBENHAVN-Donaudampfschifffahrtsgesellschaftskapitän",
		"case":            "Fakturakopi til ordre BH-1010-2026-KØBENHAVN-Donaudampfschifffahrtsgesellschaftskapitän",
		"order_ref":       "BH-2026-11-000001234567-KBH",
		"carrier":         "PostNord Logistik Erhvervspakker",
		"tracking_number": "00370712345678",
		"tracking_url":    "https://tracking.postnord.example/tracking/shipment/details?shipmentId=00370712345678&lang=da&utm_source=kedja&utm_medium=email",
		"recipient_name":  "Birthe Margrethe Hansen-Frederiksberg",
		"confirmed_by":    "PostNord Logistik (chaufførscanning ved hoveddøren)",
		"from_name":       "Maximiliaan van Oldenbarnevelt-Lichtenstein",
		"to_name":         "Christoffer Skovgaard-Rasmussen",
		"reason":          "Jeg fik lovet fakturaen inden for 24 timer tre gange.\nReferencenummer: Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen https://www.example.com/a/very/long/path/that/never/breaks/by/itself/0123456789",
		"body":            "Hej Anna,\nden rettede faktura ligger nu på din ordreside: https://portal.blomsterhuset.example/orders/BH-2026-11-000001234567-KBH/invoices/0123456789abcdef\nUndskyld besværet. Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen",
	}
	for k, v := range long {
		if _, ok := d[k]; ok {
			d[k] = v
		}
	}
	for _, k := range []string{"path", "not_arrived_path"} {
		if p, ok := d[k]; ok {
			d[k] = strings.Replace(p, "BQ-1001", long["order_ref"], 1)
		}
	}
}

// TestMailFitsAPhone renders every HTML mail in every language with long
// real-looking data in headless Chromium at 375 px, a phone's width, and
// fails on anything wider than the screen.
func TestMailFitsAPhone(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		testenv.Missing(t, "Chromium", chromiumPath+" not found")
	}
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, "")
	now := time.Date(2026, 11, 24, 13, 2, 0, 0, time.UTC)
	pages := map[string]string{}
	var names []string
	for _, locale := range i18n.Locales {
		for _, name := range notify.Templates {
			if staffTemplates[name] && locale != "en" {
				continue
			}
			m := samples(now, locale)[name]
			longData(m.Data)
			v := &View{D: m.Data, ToName: "Anna-Kristina Vestergaard-Johannessen", Business: "Blomsterhuset København & Frederiksberg",
				BaseURL: "https://kundeportal.blomsterhuset-kobenhavn-frederiksberg.example", Support: "kundeservice@blomsterhuset.example",
				loc: cfg.Location, now: now}
			out, err := r.Render(m.Template, m.Locale, v)
			if err != nil {
				t.Fatal(err)
			}
			key := "/" + name + "/" + locale
			pages[key] = out.HTML
			names = append(names, key)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, pages[r.URL.Path])
	}))
	t.Cleanup(srv.Close)

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(375, 800),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		testenv.Missing(t, "Chromium", err.Error())
	}
	ctx, cancel := context.WithTimeout(bctx, 3*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 800)); err != nil {
		t.Fatal(err)
	}
	// The widest thing on the page, and what it is, when it is wider
	// than the viewport.
	const probe = `(() => {
  const vw = document.documentElement.clientWidth;
  let worst = "", right = 0;
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.right >= right - 0.5 && r.right > 0) { right = r.right; worst = el.tagName + ": " + (el.textContent || "").trim().slice(0, 60); }
  }
  return JSON.stringify({vw, scroll: document.documentElement.scrollWidth, right: Math.ceil(right), worst});
})()`
	for _, key := range names {
		t.Run(strings.TrimPrefix(key, "/"), func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+key)); err != nil {
				t.Fatal(err)
			}
			res, err := chromedp.Run(ctx, chromedp.Evaluate[string](probe))
			if err != nil {
				t.Fatal(err)
			}
			var vw, scroll, right int
			var worst string
			if m := regexp.MustCompile(`"vw":(\d+),"scroll":(\d+),"right":(\d+),"worst":"(.*)"`).FindStringSubmatch(res); m != nil {
				fmt.Sscan(m[1], &vw)
				fmt.Sscan(m[2], &scroll)
				fmt.Sscan(m[3], &right)
				worst = m[4]
			} else {
				t.Fatalf("probe: %s", res)
			}
			if vw != 375 {
				t.Fatalf("viewport %d px, want 375", vw)
			}
			if scroll > vw || right > vw {
				t.Errorf("wider than a 375 px screen: scroll width %d, rightmost edge %d (%s)", scroll, right, worst)
			}
		})
	}
}
