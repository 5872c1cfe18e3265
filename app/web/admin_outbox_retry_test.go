package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/notify"
	"github.com/kedja/kedja/app/testenv"
)

// addMail writes an outbox row in the given state, as the mailer leaves it.
func (a *testApp) addMail(key, template, to, state, lastError string) *model.OutboxMessage {
	a.t.Helper()
	m := &model.OutboxMessage{IdempotencyKey: key, Template: template, Locale: "da", ToEmail: to, ToName: "Ann Jensen",
		State: state, Attempts: 8, LastError: lastError, NextAttemptAt: a.clock.Now().Add(-time.Hour), CreatedAt: a.clock.Now().Add(-time.Hour)}
	if state == model.MailSent {
		at := a.clock.Now().Add(-time.Hour)
		m.SentAt = &at
	}
	if _, err := a.store.Enqueue(context.Background(), m); err != nil {
		a.t.Fatal(err)
	}
	return m
}

func (a *testApp) mailNow(id int64) *model.OutboxMessage {
	a.t.Helper()
	m, err := a.store.OutboxByID(context.Background(), id)
	if err != nil {
		a.t.Fatal(err)
	}
	return m
}

func TestAdminOutboxResend(t *testing.T) {
	for _, d := range testenv.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			w := newPortalWorld(t, d)
			a := w.app
			failed := a.addMail("test:failed", notify.DeliveryConfirmation, w.ann.Email, model.MailFailed, "550 5.1.1 mailbox unavailable")
			signin := a.addMail("test:signin", notify.SignInCustomer, w.ann.Email, model.MailFailed, "550 5.1.1 mailbox unavailable")
			sent := a.addMail("test:sent", notify.StaffReply, w.ann.Email, model.MailSent, "")
			// A sign-in link waiting to be sent is never on the page.
			if r := a.client().post("/login", form("email", w.bob.Email)); r.StatusCode != http.StatusOK {
				t.Fatalf("login: %d", r.StatusCode)
			}
			link := a.lastSignInPath(w.bob.Email)

			boss := a.client()
			boss.signIn(w.boss.Email, true)
			r := boss.get("/admin/outbox")
			mustContain(t, r.Body, `action="/admin/outbox/`+itoa(failed.ID)+`/retry"`, "550 5.1.1 mailbox unavailable",
				"Sign-in link: cannot be resent", ">Resend</button>")
			if strings.Contains(r.Body, `action="/admin/outbox/`+itoa(signin.ID)+`/retry"`) || strings.Contains(r.Body, `action="/admin/outbox/`+itoa(sent.ID)+`/retry"`) {
				t.Error("Resend offered on sign-in or sent mail")
			}
			if strings.Contains(r.Body, link) || strings.Contains(r.Body, strings.TrimPrefix(link, "/auth/")) {
				t.Fatal("the outbox page shows a sign-in link")
			}

			// A non-admin cannot resend.
			anna := a.client()
			anna.signIn(w.anna.Email, true)
			wantStatus(t, "non-admin resend", anna.post("/admin/outbox/"+itoa(failed.ID)+"/retry", nil), http.StatusForbidden)
			if m := a.mailNow(failed.ID); m.State != model.MailFailed || m.Attempts != 8 {
				t.Fatalf("a refused resend changed the row: %+v", m)
			}

			wantRedirect(t, "resend", boss.post("/admin/outbox/"+itoa(failed.ID)+"/retry", form("state", "failed")), "/admin/outbox?state=failed&done=resent")
			m := a.mailNow(failed.ID)
			if m.State != model.MailPending || m.Attempts != 0 || !m.NextAttemptAt.Equal(a.clock.Now()) || m.LeaseUntil != nil {
				t.Fatalf("after resend: %+v", m)
			}
			mustContain(t, boss.get("/admin/outbox?state=failed&done=resent").Body, "Queued to be sent again.")

			for name, tc := range map[string]struct {
				id   int64
				want string
			}{
				"again":   {failed.ID, "Only failed emails can be resent; that one is pending"},
				"sign-in": {signin.ID, "A sign-in email cannot be resent: its link was removed when sending failed. Ask the person to request a new sign-in link."},
				"sent":    {sent.ID, "That email has been sent already"},
			} {
				r := boss.post("/admin/outbox/"+itoa(tc.id)+"/retry", nil)
				wantStatus(t, name, r, http.StatusConflict)
				mustContain(t, r.Body, tc.want)
			}
			if m := a.mailNow(signin.ID); m.State != model.MailFailed {
				t.Errorf("sign-in mail is %s after a refused resend", m.State)
			}
			wantStatus(t, "no such email", boss.post("/admin/outbox/424242/retry", nil), http.StatusNotFound)
		})
	}
}
