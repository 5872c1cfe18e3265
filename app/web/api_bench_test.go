package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kedja/kedja/app/testenv"
	"github.com/kedja/kedja/app/web/api"
)

// BenchmarkAPIUpsert creates orders with PUT /api/v1/orders/{ref} through
// the whole handler (middleware, key check, decoding, the upsert
// transaction with its timeline events, the answer with the timeline): one
// request at a time ("serial") and from 8 clients at once ("parallel").
func BenchmarkAPIUpsert(b *testing.B) {
	for _, d := range testenv.Dialects(b) {
		b.Run(d, func(b *testing.B) {
			a := newTestApp(b, d)
			a.addStaff("anna@shop.example", "Anna Holm", "Florist", nil, false)
			a.addStaff("jonas@shop.example", "Jonas Berg", "Driver", nil, false)
			key := a.apiNewKey("bench")
			var n atomic.Int64
			put := func() error {
				i := n.Add(1)
				body := fmt.Sprintf(`{"customer": {"email": "c%d@example.com", "name": "Customer %d", "locale": "da"},
					"status": "confirmed", "placed_at": "2026-11-20T08:15:00Z", "expected_delivery": "2026-11-22",
					"items": [{"name": "Condolence bouquet, white", "quantity": 1}, {"name": "Card", "quantity": 2}],
					"total": "499.00", "currency": "DKK", "carrier": "PostNord", "tracking_number": "0037%07d"}`, i%1000, i%1000, i)
				req := httptest.NewRequest(http.MethodPut, fmt.Sprintf("/api/v1/orders/B-%d", i), strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				a.srv.Handler().ServeHTTP(rec, req)
				if rec.Code != http.StatusCreated {
					return fmt.Errorf("PUT #%d: %d %s", i, rec.Code, rec.Body)
				}
				// The key's rate is 20 a second: the test clock passes as
				// much time as one request is allowed.
				a.clock.Add(api.KeyEvery)
				return nil
			}
			b.Run("serial", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if err := put(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "upserts/s")
			})
			b.Run("parallel", func(b *testing.B) {
				b.SetParallelism(4) // 4 × GOMAXPROCS clients
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := put(); err != nil {
							b.Error(err) // Fatal is for the benchmark's own goroutine
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "upserts/s")
			})
		})
	}
}
