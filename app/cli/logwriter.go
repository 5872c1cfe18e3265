package cli

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logWriter batches log lines and writes them at most every 100 ms (or when
// 64 KiB are waiting), so a busy server does not pay a system call per
// request line. Close flushes what is left.
type logWriter struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newLogWriter(w io.Writer) *logWriter {
	lw := &logWriter{w: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go lw.loop()
	return lw
}

func (lw *logWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.w.Write(p)
}

func (lw *logWriter) loop() {
	defer close(lw.done)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			lw.flush()
		case <-lw.stop:
			lw.flush()
			return
		}
	}
}

func (lw *logWriter) flush() {
	lw.mu.Lock()
	_ = lw.w.Flush()
	lw.mu.Unlock()
}

// Close flushes and stops the background writer.
func (lw *logWriter) Close() error {
	close(lw.stop)
	<-lw.done
	return nil
}
