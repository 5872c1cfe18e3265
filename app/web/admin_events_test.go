package web

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/live"
)

func TestAdminEventsStream(t *testing.T) {
	a := newTestApp(t, "sqlite")
	anna, cust, _ := a.seed()

	// Without a staff session there is no stream.
	cc := a.client()
	cc.signIn(cust.Email, false)
	if r := cc.get("/admin/events"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("customer: %d", r.StatusCode)
	}

	c := a.client()
	c.signIn(anna.Email, true)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, a.http.URL+"/admin/events", nil)
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for deadline := time.Now().Add(10 * time.Second); a.hub.Subscribers(live.StaffTopic) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no subscription")
		}
		time.Sleep(10 * time.Millisecond)
	}
	a.hub.Publish(live.CustomerTopic(cust.ID), live.Event{Name: "dashboard"}) // not for staff
	a.hub.Publish(live.StaffTopic, live.Event{Name: "queue"})
	sc := bufio.NewScanner(resp.Body)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if sc.Text() == "event: queue" {
			break
		}
	}
	joined := strings.Join(lines, "\n")
	if !strings.Contains(joined, "event: queue") || strings.Contains(joined, "dashboard") {
		t.Fatalf("stream said:\n%s", joined)
	}
}
