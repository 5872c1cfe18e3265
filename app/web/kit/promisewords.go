package kit

import (
	"strconv"
	"time"

	"github.com/kedja/kedja/app/model"
)

// PromiseText is the sentence of a promise's timeline event (made, kept,
// kept late by how much, missed, withdrawn, moved), or "" when e is none.
func (v Words) PromiseText(e *model.Event) string {
	d := e.Data
	name, what := d["holder"], d["what"]
	due, day := v.dueOf(d, ""), v.Day(d["day"])
	switch e.Kind {
	case model.EventPromiseMade:
		if what == "" {
			return v.T("promise.event.made_reply", "Name", name, "When", due)
		}
		return v.T("promise.event.made", "Name", name, "What", what, "When", due)
	case model.EventPromiseKept:
		when := v.DateTime(e.CreatedAt)
		if d["state"] == model.PromiseKeptLate {
			late := v.LateBy(d["late_by"])
			switch d["promise"] {
			case model.PromiseDelivery:
				return v.T("promise.event.kept_late_delivery", "Date", day, "When", when, "Late", late)
			case model.PromiseThirdParty:
				return v.T("promise.event.kept_late_third_party", "Party", name, "Date", day, "When", when)
			case model.PromiseAction:
				return v.T("promise.event.kept_late", "Name", name, "What", what, "Due", due, "When", when, "Late", late)
			}
			return v.T("promise.event.kept_late_reply", "Name", name, "Due", due, "When", when, "Late", late)
		}
		switch d["promise"] {
		case model.PromiseDelivery:
			return v.T("promise.event.kept_delivery", "Date", day)
		case model.PromiseThirdParty:
			return v.T("promise.event.kept_third_party", "Party", name, "Date", day)
		case model.PromiseAction:
			return v.T("promise.event.kept", "Name", name, "What", what)
		}
		return v.T("promise.event.kept_reply", "Name", name)
	case model.EventPromiseMissed:
		return v.MissedText(d["promise"], name, what, due, day)
	case model.EventPromiseWithdrawn:
		if what == "" {
			what = d["party"]
		}
		return v.T("promise.event.withdrawn", "Name", name, "What", what, "Reason", d["reason"])
	case model.EventPromiseMoved:
		when := due
		if d["promise"] == model.PromiseCustomer {
			return v.T("next.waiting_you", "Name", d["made_by"])
		}
		if d["reason"] != "" {
			return v.T("promise.event.moved", "When", when, "Reason", d["reason"])
		}
		return v.T("promise.event.moved_plain", "When", when)
	case model.EventEscalationClimbed:
		if d["manager_title"] != "" {
			return v.T("promise.event.climbed", "Name", d["manager"], "Title", d["manager_title"])
		}
		return v.T("promise.event.climbed_plain", "Name", d["manager"])
	case model.EventFeedback:
		s := v.T("promise.event.feedback_no")
		if d["solved"] == "true" {
			s = v.T("promise.event.feedback_yes")
		}
		if d["comment"] != "" {
			s += ": “" + d["comment"] + "”"
		}
		return s
	}
	return ""
}

// MissedText is a missed promise of kind in one sentence: "Missed: Anna
// Holm promised to reply by Friday 20 November, 09:00".
func (v Words) MissedText(kind, name, what, due, day string) string {
	switch kind {
	case model.PromiseReply:
		return v.T("promise.event.missed_reply", "Name", name, "When", due)
	case model.PromiseThirdParty:
		return v.T("promise.event.missed_third_party", "Party", name, "Date", day)
	case model.PromiseDelivery:
		return v.T("promise.event.missed_delivery", "Date", day)
	case model.PromiseEscalation:
		return v.T("promise.event.missed_answer", "Name", name, "When", due)
	}
	return v.T("promise.event.missed", "Name", name, "What", what, "When", due)
}

// Missed is promise p, missed, in one sentence.
func (v Words) Missed(p *model.Promise) string {
	due := ""
	if p.DueAt != nil {
		due = v.DateTime(*p.DueAt)
	}
	return v.MissedText(p.Kind, p.HolderName, p.What, due, v.Day(p.DueDay))
}

// dueOf is the due time in event data d (prefix+"due", RFC 3339) as the
// reader's date and time, or the day (prefix+"day") when that is all.
func (v Words) dueOf(d map[string]string, prefix string) string {
	if t, err := time.Parse(time.RFC3339, d[prefix+"due"]); err == nil {
		return v.DateTime(t)
	}
	return v.Day(d[prefix+"day"])
}

// LateBy is a delay in seconds ("75600") in the reader's words: "21 h",
// "35 min", "3 d".
func (v Words) LateBy(seconds string) string {
	s, err := strconv.ParseInt(seconds, 10, 64)
	if err != nil || s < 0 {
		return ""
	}
	d := time.Duration(s) * time.Second
	switch {
	case d < time.Hour:
		return v.T("promise.late_by.minutes", "Count", int(max(1, d/time.Minute)))
	case d < 48*time.Hour:
		return v.T("promise.late_by.hours", "Count", int((d+30*time.Minute)/time.Hour))
	}
	return v.T("promise.late_by.days", "Count", int((d+12*time.Hour)/(24*time.Hour)))
}

// Step is a case's next step in one sentence, naming the person in full:
// "Anna Holm will reply by Thursday 3 December, 12:00", "Anna Holm has
// promised: “send the invoice copy”, by …", "Waiting on Klarna, expected
// Friday 4 December; Anna Holm will let you know", "Anna Holm is waiting
// for your answer". owner is who speaks for the case when the customer or
// a third party holds it. A step whose time has passed (and that the
// check has not handled yet) says it should have been done.
func (v Words) Step(p *model.Promise, owner string) string {
	if p == nil {
		return ""
	}
	when := ""
	if p.DueAt != nil {
		when = v.When(*p.DueAt)
		if p.State == model.PromiseOpen && v.Now.After(*p.DueAt) && p.HolderKind == model.HolderStaff {
			return v.T("next.overdue", "Name", p.HolderName, "When", when)
		}
	}
	switch p.Kind {
	case model.PromiseCustomer:
		return v.T("next.waiting_you", "Name", owner)
	case model.PromiseThirdParty:
		return v.T("next.third_party_by", "Party", p.HolderName, "Date", v.Day(p.DueDay), "Name", owner)
	case model.PromiseDelivery:
		return v.T("next.delivery_by", "Name", p.HolderName, "Date", v.Day(p.DueDay))
	case model.PromiseEscalation:
		return v.T("next.manager_by_plain", "Name", p.HolderName, "When", when)
	case model.PromiseAction:
		return v.T("next.promised", "Name", p.HolderName, "What", p.What, "When", when)
	}
	return v.T("next.reply_by", "Name", p.HolderName, "When", when)
}
