package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/kedja/kedja/app/testenv"
	"github.com/kedja/kedja/app/web/admin"
)

// upload posts file to /admin/import as a browser would: with htmx (the
// X-CSRF-Token header, so the body is streamed) or as a plain form (the
// _csrf field, which the CSRF check reads by parsing the form).
func (c *client) upload(file string, htmx bool) *response {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if !htmx {
		_ = mw.WriteField("_csrf", c.csrf())
	}
	if file != "" {
		fw, err := mw.CreateFormFile("file", "orders.csv")
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write([]byte(file))
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.app.http.URL+"/admin/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if htmx {
		req.Header.Set("X-CSRF-Token", c.csrf())
		req.Header.Set("HX-Request", "true")
	}
	return c.do(req)
}

const uploadFile = "\xEF\xBB\xBForder_ref;customer_email;customer_name;status;items;total;currency\r\n" +
	"W-1;ann@example.com;Ann Jensen;confirmed;\"2x Roser; 1x Kort\";499,00;DKK\r\n" +
	"W-2;ann@example.com;Ann Jensen;sent;;;\r\n" +
	"W-3;bo@example.com;\"Bo\r\nEk\";received;;;\r\n" +
	"W-4;bo@example.com;Bo Ek;shipped;1x Buket;;\r\n"

func TestAdminImport(t *testing.T) {
	for _, dialect := range testenv.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			a := newTestApp(t, dialect)
			anna, _, _ := a.seed()
			boss := a.addStaff("mette@shop.example", "Mette Lund", "Shop manager", nil, true)
			ctx := context.Background()

			c := a.client()
			c.signIn(boss.Email, true)
			r := c.get("/admin/import")
			if r.StatusCode != http.StatusOK {
				t.Fatalf("GET /admin/import: %d", r.StatusCode)
			}
			mustContain(t, r.Body, `enctype="multipart/form-data"`, `name="_csrf"`, `type="file"`, "order_ref, customer_email, customer_name")

			for _, htmx := range []bool{true, false} {
				r = c.upload(uploadFile, htmx)
				if r.StatusCode != http.StatusOK {
					t.Fatalf("upload (htmx %v): %d %s", htmx, r.StatusCode, r.Body)
				}
				if htmx {
					if strings.Contains(r.Body, "<html") {
						t.Error("an htmx upload got the whole page, not the result fragment")
					}
					mustContain(t, r.Body, "2 created, 0 updated, 0 unchanged, 2 failed.")
				} else {
					mustContain(t, r.Body, "<html", "0 created, 0 updated, 2 unchanged, 2 failed.")
				}
				mustContain(t, r.Body, "Imported orders.csv", "<td>3</td><td>W-2</td><td>status</td>", "<td>4</td><td>W-3</td><td>customer_name</td>")
			}
			o, err := a.store.OrderByRef(ctx, "W-1")
			if err != nil || o.Total != "499.00" || len(o.Items) != 2 || o.Status != "confirmed" {
				t.Fatalf("W-1: %+v %v", o, err)
			}
			if o, err := a.store.OrderByRef(ctx, "W-4"); err != nil || o.Owner == nil {
				t.Fatalf("W-4: %+v %v", o, err)
			}

			t.Run("the list of bad rows is capped, the count is not", func(t *testing.T) {
				var f strings.Builder
				f.WriteString("order_ref,customer_email,status\n")
				for i := 0; i < admin.MaxShownRowErrors+50; i++ {
					fmt.Fprintf(&f, "X-%d,x@example.com,nope\n", i)
				}
				r := c.upload(f.String(), true)
				mustContain(t, r.Body, "0 created, 0 updated, 0 unchanged, 250 failed.", "The first 200 of 250 bad rows are listed.")
				if n := strings.Count(r.Body, "<td>status</td>"); n != admin.MaxShownRowErrors {
					t.Errorf("%d bad rows listed, want %d", n, admin.MaxShownRowErrors)
				}
			})
			t.Run("a bad file or no file is refused", func(t *testing.T) {
				r := c.upload("order_ref,customer_email,status,colour\nY-1,y@example.com,received,red\n", false)
				if r.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("unknown column: %d", r.StatusCode)
				}
				mustContain(t, r.Body, "unknown column &#34;colour&#34;")
				if _, err := a.store.OrderByRef(ctx, "Y-1"); err == nil {
					t.Error("a file with an unknown column imported a row")
				}
				if r := c.upload("", false); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Choose a CSV file") {
					t.Errorf("no file: %d", r.StatusCode)
				}
			})

			t.Run("admins only", func(t *testing.T) {
				staff := a.client()
				staff.signIn(anna.Email, true)
				if r := staff.get("/admin/import"); r.StatusCode != http.StatusForbidden {
					t.Errorf("staff GET: %d, want 403", r.StatusCode)
				}
				if r := staff.upload("order_ref,customer_email,status\nZ-1,z@example.com,received\n", true); r.StatusCode != http.StatusForbidden {
					t.Errorf("staff upload: %d, want 403", r.StatusCode)
				}
				anon := a.client()
				if r := anon.get("/admin/import"); r.StatusCode != http.StatusSeeOther {
					t.Errorf("anonymous GET: %d, want a redirect to sign in", r.StatusCode)
				}
				if r := anon.upload("order_ref,customer_email,status\nZ-1,z@example.com,received\n", false); r.StatusCode != http.StatusUnauthorized {
					t.Errorf("anonymous upload: %d, want 401", r.StatusCode)
				}
				req, _ := http.NewRequest(http.MethodPost, a.http.URL+"/admin/import", strings.NewReader("--x--"))
				req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
				if r := c.do(req); r.StatusCode != http.StatusForbidden {
					t.Errorf("admin upload without the CSRF token: %d, want 403", r.StatusCode)
				}
				if _, err := a.store.OrderByRef(ctx, "Z-1"); err == nil {
					t.Error("a refused upload imported a row")
				}
			})

			// A file over 1 MiB: with the CSRF header (htmx) an admin may
			// send it; without, nobody's form is parsed past 1 MiB.
			t.Run("large files", func(t *testing.T) {
				// Most rows are refused before they reach the database, so the
				// test stays quick under the race detector.
				var big strings.Builder
				big.WriteString("order_ref,customer_email,status,recipient_name\n")
				valid := 0
				for i := 0; big.Len() < 3<<20/2; i++ {
					status := "shipxed"
					if i%200 == 0 {
						status, valid = "received", valid+1
					}
					fmt.Fprintf(&big, "L-%06d,l%d@example.com,%s,%s\n", i, i%50, status, strings.Repeat("x", 200))
				}
				if r := c.upload(big.String(), false); r.StatusCode != http.StatusRequestEntityTooLarge {
					t.Errorf("plain form over 1 MiB: %d, want 413", r.StatusCode)
				}
				if _, err := a.store.OrderByRef(ctx, "L-000000"); err == nil {
					t.Fatal("a refused upload imported a row")
				}
				anon := a.client()
				anon.get("/admin/login") // a CSRF token, as anyone can get
				if r := anon.upload(big.String(), true); r.StatusCode != http.StatusUnauthorized {
					t.Errorf("anonymous upload with the header: %d, want 401", r.StatusCode)
				}
				if r := c.upload(big.String(), true); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, fmt.Sprintf("%d created,", valid)) {
					t.Fatalf("admin upload over 1 MiB with the header: %d %s", r.StatusCode, r.Body)
				}
				if _, err := a.store.OrderByRef(ctx, "L-000000"); err != nil {
					t.Errorf("the large file was not imported: %v", err)
				}
			})
		})
	}
}
