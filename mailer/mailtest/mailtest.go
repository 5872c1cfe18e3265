// Package mailtest runs a real SMTP server (github.com/emersion/go-smtp) in
// the test process. It keeps every message it accepts, can be told to answer
// with an error code or to be down (connections refused), and can speak
// STARTTLS or implicit TLS with a certificate made for the test and require
// a user name and password.
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Stage is where a told-to-fail server answers with its error.
type Stage int

// Stages of an SMTP transaction.
const (
	AtRcpt Stage = iota // RCPT TO (an address the server will not take)
	AtData              // after the message content, before "250 OK"
)

// Message is one accepted email.
type Message struct {
	From   string
	To     []string
	Data   []byte
	Header mail.Header
	TLS    bool   // the connection was encrypted
	User   string // the authenticated user, if any
}

// MessageID is the Message-ID header without angle brackets.
func (m Message) MessageID() string {
	return strings.Trim(m.Header.Get("Message-Id"), "<> ")
}

// Subject is the decoded Subject header.
func (m Message) Subject() string {
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return m.Header.Get("Subject")
	}
	return s
}

// Parts returns the decoded text/plain and text/html parts.
func (m Message) Parts() (text, html string, err error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return "", "", err
	}
	parts := map[string]string{}
	if err := walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, parts); err != nil {
		return "", "", err
	}
	return parts["text/plain"], parts["text/html"], nil
}

func walk(ctype, cte string, body io.Reader, out map[string]string) error {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, out); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(cte) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64Reader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	out[mt] = string(b)
	return nil
}

// Server is an SMTP server on 127.0.0.1.
type Server struct {
	mu       sync.Mutex
	addr     string
	srv      *smtp.Server
	ln       net.Listener
	msgs     []Message
	rejected []Message
	failCode int
	failEnh  smtp.EnhancedCode
	failMsg  string
	failAt   Stage
	failN    int // how many more transactions fail; <0: all
	sessions int
	open     int // connections accepted and not yet closed

	listenAddr string // "127.0.0.1:0" unless WithListenAddr
	caPEM      []byte
	tlsConf    *tls.Config // server side, nil: no TLS
	implicit   bool
	clientCA   *x509.CertPool
	user       string
	pass       string
}

// Option configures a Server.
type Option func(*Server)

// WithSTARTTLS makes the server offer STARTTLS with a certificate for
// 127.0.0.1, localhost and its listen address; ClientTLS and CAPEM trust it.
func WithSTARTTLS() Option { return func(s *Server) { s.makeCert() } }

// WithImplicitTLS makes the server speak TLS from the first byte (smtps).
func WithImplicitTLS() Option { return func(s *Server) { s.makeCert(); s.implicit = true } }

// WithListenAddr makes the server listen on addr ("198.18.0.1:0") instead
// of a free port of 127.0.0.1; its certificate names that address too.
func WithListenAddr(addr string) Option { return func(s *Server) { s.listenAddr = addr } }

// WithAuth makes the server require AUTH PLAIN with this user and password.
func WithAuth(user, pass string) Option { return func(s *Server) { s.user, s.pass = user, pass } }

// Start starts a server on a free port of 127.0.0.1, closed when the test
// ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{listenAddr: "127.0.0.1:0"}
	for _, o := range opts {
		o(s)
	}
	if s.tlsConf != nil { // made before the address was known
		s.tlsConf, s.clientCA = nil, nil
		s.makeCert()
	}
	ln, err := net.Listen("tcp", s.listenAddr)
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(s.Down)
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return s.addr }

// URL is the KEDJA_SMTP_URL for this server: smtp:// with ?insecure=1 when
// it speaks no TLS, smtp:// with STARTTLS, smtps:// with implicit TLS, and
// the user and password when it requires them.
func (s *Server) URL() *url.URL {
	u := &url.URL{Scheme: "smtp", Host: s.addr}
	switch {
	case s.implicit:
		u.Scheme = "smtps"
	case s.tlsConf == nil:
		u.RawQuery = "insecure=1"
	}
	if s.user != "" {
		u.User = url.UserPassword(s.user, s.pass)
	}
	return u
}

// ClientTLS is a client TLS configuration that trusts the server's
// certificate (nil when the server speaks no TLS).
func (s *Server) ClientTLS() *tls.Config {
	if s.clientCA == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.clientCA, MinVersion: tls.VersionTLS12}
}

// CAPEM is the server's certificate in PEM form, for a CA file that
// trusts it (nil when the server speaks no TLS).
func (s *Server) CAPEM() []byte { return s.caPEM }

// OpenConns is how many client connections are open right now: accepted
// and not yet closed by either side.
func (s *Server) OpenConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open
}

// WaitNoConns waits until no client connection is open, failing the test
// after timeout with how many still are.
func (s *Server) WaitNoConns(t testing.TB, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for s.OpenConns() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("mailtest: %d connections still open after %v", s.OpenConns(), timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// countingListener keeps Server.open up to date.
type countingListener struct {
	net.Listener
	s *Server
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.s.mu.Lock()
	l.s.open++
	l.s.mu.Unlock()
	return &countedConn{Conn: c, s: l.s}, nil
}

type countedConn struct {
	net.Conn
	s    *Server
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.s.mu.Lock()
		c.s.open--
		c.s.mu.Unlock()
	})
	return c.Conn.Close()
}

func (s *Server) serve(ln net.Listener) {
	ln = &countingListener{Listener: ln, s: s}
	srv := smtp.NewServer(&backend{s: s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if s.tlsConf != nil {
		srv.TLSConfig = s.tlsConf
		if s.implicit {
			ln = tls.NewListener(ln, s.tlsConf)
		}
	}
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// Down stops the server: open connections are cut and new ones refused.
func (s *Server) Down() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if srv != nil {
		// Close the listener itself too: srv.Close only closes the ones
		// Serve has registered, and Serve may not have started yet.
		_ = ln.Close()
		_ = srv.Close()
	}
}

// Up starts the server again on the same address after Down.
func (s *Server) Up(t testing.TB) {
	t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("mailtest: listen again on %s: %v", s.addr, err)
	}
	s.serve(ln)
}

// Fail makes the next n transactions (n < 0: all, until Accept) fail at
// stage with this reply code, such as 451 (try again later) or 550 (no
// such mailbox).
func (s *Server) Fail(at Stage, code int, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failAt, s.failCode, s.failN = at, code, n
	s.failEnh = smtp.EnhancedCodeNotSet
	s.failMsg = "told to fail"
	if code/100 == 4 {
		s.failMsg = "Try again later (told to fail)"
	}
}

// FailWith is Fail with the enhanced status code and text of a real
// server, such as 554 5.7.1 "Relay access denied".
func (s *Server) FailWith(at Stage, code int, enhanced [3]int, msg string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failAt, s.failCode, s.failN, s.failMsg = at, code, n, msg
	s.failEnh = smtp.EnhancedCode(enhanced)
}

// Accept ends Fail: every message is taken again.
func (s *Server) Accept() {
	s.mu.Lock()
	s.failN = 0
	s.mu.Unlock()
}

// Messages returns a copy of every accepted message, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Rejected returns a copy of every message refused after its content
// (Fail at AtData), in order.
func (s *Server) Rejected() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.rejected...)
}

// Count is how many messages were accepted.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

// Sessions is how many connections reached the greeting.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// WaitFor waits until at least n messages were accepted, failing the test
// after timeout.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if s.Count() >= n {
			return s.Messages()
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailtest: want %d messages, got %d after %v", n, s.Count(), timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// failNow consumes one told-to-fail answer for stage at, if any.
func (s *Server) failNow(at Stage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failN == 0 || s.failAt != at {
		return nil
	}
	if s.failN > 0 {
		s.failN--
	}
	return &smtp.SMTPError{Code: s.failCode, EnhancedCode: s.failEnh, Message: s.failMsg}
}

type backend struct{ s *Server }

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	b.s.mu.Lock()
	b.s.sessions++
	b.s.mu.Unlock()
	return &session{s: b.s, c: c}, nil
}

type session struct {
	s    *Server
	c    *smtp.Conn
	user string
	from string
	to   []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != ss.s.user || pass != ss.s.pass {
			return smtp.ErrAuthFailed
		}
		ss.user = user
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.user != "" && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.s.failNow(AtRcpt); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCodeNotSet, Message: "unparseable message: " + err.Error()}
	}
	_, isTLS := ss.c.TLSConnectionState()
	m := Message{From: ss.from, To: ss.to, Data: b, Header: msg.Header, TLS: isTLS, User: ss.user}
	if err := ss.s.failNow(AtData); err != nil {
		ss.s.mu.Lock()
		ss.s.rejected = append(ss.s.rejected, m)
		ss.s.mu.Unlock()
		return err
	}
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, m)
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

// makeCert makes a self-signed certificate for 127.0.0.1, localhost and
// the listen address.
func (s *Server) makeCert() {
	if s.tlsConf != nil {
		return
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic("mailtest: key: " + err.Error())
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mailtest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
	}
	if host, _, err := net.SplitHostPort(s.listenAddr); err == nil {
		if ip := net.ParseIP(host); ip != nil && !ip.IsUnspecified() && !ip.IsLoopback() {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic("mailtest: certificate: " + err.Error())
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	s.clientCA = pool
	s.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	s.tlsConf = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}},
		MinVersion: tls.VersionTLS12}
}

func base64Reader(r io.Reader) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, &stripNewlines{r: r})
}

// stripNewlines drops CR and LF, which base64 bodies are broken with.
type stripNewlines struct{ r io.Reader }

func (s *stripNewlines) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	return j, err
}
