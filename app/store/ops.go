package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// OutboxStats is the state of the outbox at one moment, for metrics.
type OutboxStats struct {
	ByState      map[string]int64 // rows per state: pending, sending, sent, failed
	OldestUnsent *time.Time       // created_at of the oldest pending or sending row; nil: none
}

// OutboxStats counts the outbox rows by state and finds the oldest unsent
// one (two queries, each by index).
func (s *Store) OutboxStats(ctx context.Context) (OutboxStats, error) {
	st := OutboxStats{ByState: map[string]int64{}}
	var rows []struct {
		State string `bun:"state"`
		N     int64  `bun:"n"`
	}
	if err := s.r.NewRaw("SELECT state, count(*) AS n FROM outbox GROUP BY state").Scan(ctx, &rows); err != nil {
		return st, fmt.Errorf("store: outbox stats: %w", err)
	}
	for _, r := range rows {
		st.ByState[r.State] = r.N
	}
	var oldest []time.Time
	if err := s.r.NewRaw("SELECT created_at FROM outbox WHERE state IN ('pending', 'sending') ORDER BY created_at LIMIT 1").
		Scan(ctx, &oldest); err != nil {
		return st, fmt.Errorf("store: oldest unsent mail: %w", err)
	}
	if len(oldest) == 1 {
		st.OldestUnsent = &oldest[0]
	}
	return st, nil
}

// Pools names the store's connection pools, for pool metrics: "main" when
// one pool does everything (PostgreSQL), else "writer" and "readers"
// (SQLite, whose reads have their own pool).
func (s *Store) Pools() map[string]*sql.DB {
	if s.rdb == s.db {
		return map[string]*sql.DB{"main": s.db.DB}
	}
	return map[string]*sql.DB{"writer": s.db.DB, "readers": s.rdb.DB}
}
