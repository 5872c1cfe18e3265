// Package imaptest runs a real IMAP server for tests: Debian's Dovecot,
// started by the test with its own configuration in t.TempDir() (a static
// user, maildir storage, listening on a free port of 127.0.0.1, no TLS),
// stopped when the test ends. Without the dovecot binary the test is
// skipped (or fails with KEDJA_REQUIRE_ALL=1).
package imaptest

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/kedja/kedja/app/testenv"
)

// Dovecot is one running server with one mailbox user.
type Dovecot struct {
	Addr string
	User string
	Pass string
}

// Start starts Dovecot for the test.
func Start(t testing.TB) *Dovecot {
	t.Helper()
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		for _, p := range []string{"/usr/sbin/dovecot", "/usr/local/sbin/dovecot"} {
			if _, serr := os.Stat(p); serr == nil {
				bin, err = p, nil
				break
			}
		}
	}
	if err != nil {
		testenv.Missing(t, "Dovecot", "no dovecot binary (apt-get install dovecot-imapd)")
	}
	out, _ := exec.Command(bin, "--version").Output()
	version := strings.TrimSpace(string(out))
	// Dovecot runs mail processes as a user that is not root; the mail
	// lives in a directory that user owns, outside the test's 0700 temp
	// directory.
	uid, gid := os.Getuid(), os.Getgid()
	loginUser, internalUser := "dovenull", "dovecot"
	if uid == 0 {
		uid, gid = 65534, 65534
		if u, err := user.Lookup("nobody"); err == nil {
			uid, _ = strconv.Atoi(u.Uid)
			gid, _ = strconv.Atoi(u.Gid)
		}
	} else if u, err := user.Current(); err == nil {
		loginUser, internalUser = u.Username, u.Username
	}
	// Not t.TempDir(): its parent is 0700, and Dovecot's own users must
	// read the configuration and write the mail.
	dir, err := os.MkdirTemp("", "kedja-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	mail := filepath.Join(dir, "mail")
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(mail, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Getuid() == 0 {
		if err := os.Chown(mail, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	d := &Dovecot{User: "help@blomsterhuset.example", Pass: "s3cret-imap"}
	if err := os.WriteFile(filepath.Join(dir, "passwd"), []byte(d.User+":{PLAIN}"+d.Pass+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	d.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	conf := fmt.Sprintf(`
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
instance_name = kedja-test-%[5]d
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = %[3]d
first_valid_gid = %[4]d
mail_location = maildir:%[2]s/%%u
default_login_user = %[6]s
default_internal_user = %[7]s
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=%[3]d gid=%[4]d home=%[2]s/%%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = %[5]d
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
namespace inbox {
  inbox = yes
  separator = /
}
`, dir, mail, uid, gid, port, loginUser, internalUser)
	if strings.HasPrefix(version, "2.4") {
		testenv.Missing(t, "Dovecot 2.3", "found "+version+", whose configuration syntax the test does not write yet")
	}
	for _, sub := range []string{"run", "state"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-F", "-c", cfg)
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		testenv.Missing(t, "Dovecot", "cannot start: "+err.Error())
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := d.Dial()
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatalf("imaptest: dovecot exited: %s\n%s", stderr.String(), log)
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatalf("imaptest: dovecot does not answer on %s: %v\n%s\n%s", d.Addr, err, stderr.String(), log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return d
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// URL is the KEDJA_IMAP_URL of the user's INBOX (plain IMAP on loopback).
func (d *Dovecot) URL() *url.URL {
	return &url.URL{Scheme: "imap", User: url.UserPassword(d.User, d.Pass), Host: d.Addr, Path: "/INBOX"}
}

// Dial connects and logs in.
func (d *Dovecot) Dial() (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(d.Addr, nil)
	if err != nil {
		return nil, err
	}
	if err := c.Login(d.User, d.Pass).Wait(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Append puts raw messages into mailbox, as a provider's delivery does.
func (d *Dovecot) Append(t testing.TB, mailbox string, raws ...[]byte) {
	t.Helper()
	c, err := d.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, raw := range raws {
		cmd := c.Append(mailbox, int64(len(raw)), nil)
		if _, err := cmd.Write(raw); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			t.Fatalf("imaptest: append: %v", err)
		}
	}
}

// Count is how many messages mailbox holds (0 when it does not exist).
func (d *Dovecot) Count(t testing.TB, mailbox string) int {
	t.Helper()
	c, err := d.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st, err := c.Status(mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		return 0
	}
	return int(*st.NumMessages)
}
