package orders_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/kedja/kedja/app/domain/orders"
	"github.com/kedja/kedja/app/testenv"
)

// BenchmarkImportCSVMillion imports 1,000,000 generated rows (100,000
// customers; a fifth shipped and a fifth delivered, so with their emails)
// streamed through a pipe into a fresh database, once per dialect, and
// reports rows/s, the time and the peak heap in use, sampled every 50 ms:
// memory stays bounded by the batch, not the file. Run it alone:
//
//	go test -run '^$' -bench ImportCSVMillion -benchtime 1x ./app/domain/orders/
func BenchmarkImportCSVMillion(b *testing.B) {
	const n = 1_000_000
	for _, dialect := range testenv.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				sh := newCSVShop(b, testenv.NewStore(b, dialect))
				runtime.GC()
				stop := heapPeak()
				start := time.Now()
				g := mixed(n, 0)
				g.customers = 100_000
				sum, err := sh.loadFrom(b, g.pipe())
				elapsed := time.Since(start)
				max := stop()
				if err != nil || sum != (orders.Summary{Rows: n, Created: n}) {
					b.Fatalf("%#v %v %v", sum, err, sh.errs[:min(len(sh.errs), 5)])
				}
				b.ReportMetric(float64(n)/elapsed.Seconds(), "rows/s")
				b.ReportMetric(elapsed.Seconds(), "s/import")
				b.ReportMetric(float64(max)/(1<<20), "peak-heap-MiB")

			}
		})
	}
}

// heapPeak samples the heap in use every 50 ms until stop, which returns
// the highest sample.
func heapPeak() func() uint64 {
	done := make(chan struct{})
	out := make(chan uint64)
	go func() {
		var max uint64
		var ms runtime.MemStats
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				out <- max
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				max = maxU(max, ms.HeapInuse)
			}
		}
	}()
	return func() uint64 { close(done); return <-out }
}

func maxU(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}
