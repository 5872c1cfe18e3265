package cli

import (
	"context"
	"crypto/tls"
	"log/slog"
	"sync"
	"time"

	"github.com/kedja/kedja/app/config"
	"github.com/kedja/kedja/app/domain/mailin"
	"github.com/kedja/kedja/app/live"
	"github.com/kedja/kedja/app/model"
	"github.com/kedja/kedja/app/store"
	"github.com/kedja/kedja/mailer/imapin"
	"github.com/kedja/kedja/mailer/smtpin"
)

// startInbound starts what is configured of incoming mail — the SMTP
// receiver (KEDJA_INBOUND_SMTP_ADDR) and the IMAP poller (KEDJA_IMAP_URL)
// — until ctx ends. The returned function waits for them to stop.
func startInbound(ctx context.Context, cfg config.Config, s *store.Store, bus live.Publisher, log *slog.Logger) func() {
	var wg sync.WaitGroup
	if cfg.InboundSMTPAddr == "" && cfg.IMAPURL == nil {
		return wg.Wait
	}
	svc := &mailin.Service{Store: s, Cases: MailCases{Bus: bus, Location: cfg.Location}, Now: time.Now, Log: log}
	if cfg.MailFrom != nil {
		svc.Own = []string{cfg.MailFrom.Address}
	}
	if cfg.InboundSMTPAddr != "" {
		domain := "localhost"
		if cfg.BaseURL != nil {
			domain = cfg.BaseURL.Hostname()
		}
		rx := smtpin.New(domain, svc, log)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := rx.Run(ctx, cfg.InboundSMTPAddr); err != nil {
				log.Error("smtpin: the SMTP receiver stopped (KEDJA_INBOUND_SMTP_ADDR)", "addr", cfg.InboundSMTPAddr, "err", err)
				_ = s.RaiseMailAlert(context.WithoutCancel(ctx), model.AlertInboundSMTP,
					"the SMTP receiver cannot listen on "+cfg.InboundSMTPAddr+" (KEDJA_INBOUND_SMTP_ADDR)", err.Error(), time.Now())
			}
		}()
	}
	if cfg.IMAPURL != nil {
		opts := []imapin.Option{imapin.WithAlerts(s, model.AlertIMAP)}
		if cfg.SMTPRootCAs != nil {
			opts = append(opts, imapin.WithTLSConfig(&tls.Config{RootCAs: cfg.SMTPRootCAs, MinVersion: tls.VersionTLS12}))
		}
		p, err := imapin.New(cfg.IMAPURL, svc, log, opts...)
		if err != nil {
			log.Error("imapin: KEDJA_IMAP_URL", "err", err)
			return wg.Wait
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = p.Run(ctx)
		}()
	}
	return wg.Wait
}
