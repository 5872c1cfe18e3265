package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"
)

func TestHubDeliversToTopicAndCleansUp(t *testing.T) {
	h := NewHub()
	var tapped []string
	h.Tap(func(topic string, ev Event) { tapped = append(tapped, topic+" "+ev.Name) })
	a, cancelA := h.Subscribe(CustomerTopic(1))
	b, cancelB := h.Subscribe(CustomerTopic(2))
	h.Publish(CustomerTopic(1), Event{Name: OrderEvent("BQ-1")})
	select {
	case ev := <-a:
		if ev.Name != "order:BQ-1" {
			t.Fatalf("got %q", ev.Name)
		}
	default:
		t.Fatal("subscriber of customer 1 got nothing")
	}
	select {
	case ev := <-b:
		t.Fatalf("customer 2 got customer 1's event %q", ev.Name)
	default:
	}
	if len(tapped) != 1 || tapped[0] != "customer:1 order:BQ-1" {
		t.Fatalf("tap saw %v", tapped)
	}
	cancelA()
	cancelA() // twice is fine
	cancelB()
	if h.Subscribers(CustomerTopic(1)) != 0 || h.Subscribers(CustomerTopic(2)) != 0 {
		t.Fatal("subscriptions left behind")
	}
}

func TestPGBusCarriesEventsAcrossInstances(t *testing.T) {
	dsn := os.Getenv("KEDJA_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("KEDJA_REQUIRE_ALL") == "1" {
			t.Fatal("PostgreSQL is required (KEDJA_REQUIRE_ALL=1): set KEDJA_TEST_POSTGRES")
		}
		t.Skip("PostgreSQL missing, skipping: KEDJA_TEST_POSTGRES is empty")
	}
	var r [6]byte
	_, _ = rand.Read(r[:])
	channel := "kedja_test_" + hex.EncodeToString(r[:])
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	one, err := NewPGBus(ctx, dsn, channel, log)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	two, err := NewPGBus(ctx, dsn, channel, log)
	if err != nil {
		t.Fatal(err)
	}
	defer two.Close()
	seen := make(chan string, 4)
	two.Tap(func(topic string, ev Event) { seen <- topic })
	events, cancel := two.Subscribe(CustomerTopic(7))
	defer cancel()
	own, cancelOwn := one.Subscribe(CustomerTopic(7))
	defer cancelOwn()
	one.Publish(CustomerTopic(7), Event{Name: InquiryEvent(3), Data: "x"})
	for _, ch := range []<-chan Event{events, own} {
		select {
		case ev := <-ch:
			if ev.Name != "inquiry:3" || ev.Data != "x" {
				t.Fatalf("got %+v", ev)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("event did not arrive")
		}
	}
	if topic := <-seen; topic != "customer:7" {
		t.Fatalf("tap saw %q", topic)
	}
}
