package live

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// PGBus carries events across instances that share a PostgreSQL database,
// with LISTEN/NOTIFY. Every instance delivers what it hears to its own Hub, so
// an event published on one instance reaches the streams (and page caches)
// of all of them, its own included.
type PGBus struct {
	hub     *Hub
	dsn     string
	channel string
	log     *slog.Logger
	out     chan wireEvent
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	ready   chan struct{}
}

type wireEvent struct {
	Topic string `json:"t"`
	Name  string `json:"n"`
	Data  string `json:"d,omitempty"`
}

var channelName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// ResyncEvent is delivered to taps after the listener reconnected: events
// may have been missed, so caches should forget everything.
const ResyncEvent = "resync"

// NewPGBus connects a listener to dsn (a postgres:// URL) on channel and
// starts delivering. Close stops it.
func NewPGBus(ctx context.Context, dsn, channel string, log *slog.Logger) (*PGBus, error) {
	if !channelName.MatchString(channel) {
		return nil, fmt.Errorf("live: bad channel name %q", channel)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	b := &PGBus{hub: NewHub(), dsn: dsn, channel: channel, log: log, out: make(chan wireEvent, 4096),
		cancel: cancel, ready: make(chan struct{})}
	conn, err := b.listen(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	close(b.ready)
	b.wg.Add(2)
	go b.receive(ctx, conn)
	go b.send(ctx)
	return b, nil
}

func (b *PGBus) listen(ctx context.Context) (*pgx.Conn, error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, b.dsn)
	if err != nil {
		return nil, fmt.Errorf("live: connect listener: %w", err)
	}
	if _, err := conn.Exec(cctx, "LISTEN "+b.channel); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("live: listen: %w", err)
	}
	return conn, nil
}

// receive hands every notification to the local hub, reconnecting (and
// telling the taps to resync) when the connection drops.
func (b *PGBus) receive(ctx context.Context, conn *pgx.Conn) {
	defer b.wg.Done()
	backoff := 100 * time.Millisecond
	for {
		for conn == nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			var err error
			if conn, err = b.listen(ctx); err != nil {
				b.log.Warn("live: reconnect failed", "err", err)
				backoff = min(backoff*2, 10*time.Second)
				continue
			}
			backoff = 100 * time.Millisecond
			b.hub.Publish(AllTopic, Event{Name: ResyncEvent})
		}
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			conn.Close(context.Background())
			conn = nil
			if ctx.Err() != nil {
				return
			}
			b.log.Warn("live: listener lost", "err", err)
			continue
		}
		var ev wireEvent
		if err := json.Unmarshal([]byte(n.Payload), &ev); err != nil {
			continue
		}
		b.hub.Publish(ev.Topic, Event{Name: ev.Name, Data: ev.Data})
	}
}

// send writes queued events with pg_notify through its own connection.
func (b *PGBus) send(ctx context.Context) {
	defer b.wg.Done()
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-b.out:
			payload, _ := json.Marshal(ev)
			for attempt := 0; ; attempt++ {
				if conn == nil {
					c, err := pgx.Connect(ctx, b.dsn)
					if err != nil {
						if ctx.Err() != nil {
							return
						}
						b.log.Warn("live: connect sender", "err", err)
						time.Sleep(min(time.Duration(attempt+1)*200*time.Millisecond, 5*time.Second))
						continue
					}
					conn = c
				}
				if _, err := conn.Exec(ctx, "SELECT pg_notify($1, $2)", b.channel, string(payload)); err != nil {
					conn.Close(context.Background())
					conn = nil
					if ctx.Err() != nil || attempt >= 3 {
						// Deliver locally at least; other instances catch up by TTL.
						b.hub.Publish(ev.Topic, Event{Name: ev.Name, Data: ev.Data})
						break
					}
					continue
				}
				break
			}
		}
	}
}

// Publish sends ev to topic's subscribers on every instance.
func (b *PGBus) Publish(topic string, ev Event) {
	select {
	case b.out <- wireEvent{Topic: topic, Name: ev.Name, Data: ev.Data}:
	default:
		b.hub.Publish(topic, ev) // queue full: this instance at least
	}
}

// Subscribe listens to topic on this instance.
func (b *PGBus) Subscribe(topic string) (<-chan Event, func()) { return b.hub.Subscribe(topic) }

// Tap sees every event this instance delivers, from any instance.
func (b *PGBus) Tap(f func(topic string, ev Event)) { b.hub.Tap(f) }

// Close stops listening and sending.
func (b *PGBus) Close() error {
	b.cancel()
	b.wg.Wait()
	return nil
}

var _ Bus = (*PGBus)(nil)
