package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// BenchmarkSignInRequest compares POST /login for a known and an unknown
// address: the decoy work should make them cost about the same.
func BenchmarkSignInRequest(b *testing.B) {
	for _, addr := range []string{"ann@example.com", "nobody@example.com"} {
		b.Run(strings.SplitN(addr, "@", 2)[0], func(b *testing.B) {
			app := newTestApp(b, "sqlite", map[string]string{"KEDJA_TRUSTED_PROXIES": "127.0.0.1/32"})
			app.seed()
			c := app.client()
			body := url.Values{"email": {addr}, "_csrf": {c.csrf()}}.Encode()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				app.clock.Add(16 * time.Minute) // out of the per-address and per-IP windows
				req, _ := http.NewRequest(http.MethodPost, app.http.URL+"/login", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.%d.%d", i/250%250, i%250+1))
				if r := c.do(req); r.StatusCode != http.StatusOK {
					b.Fatalf("status %d", r.StatusCode)
				}
			}
		})
	}
}
