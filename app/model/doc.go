// Package model holds Kedja's bun models, one file per entity. Times are UTC;
// dates without a time (expected delivery) are "YYYY-MM-DD" strings.
package model

import "time"

// Now returns the current time the way Kedja stores it: UTC, microseconds.
func Now() time.Time { return Normalize(time.Now()) }

// Normalize makes t comparable across SQLite and PostgreSQL: UTC, truncated to
// microseconds.
func Normalize(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
