package mailer

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/kedja/kedja/app/testenv"
)

// netnsAddrEnv carries the non-loopback address into the re-run of a test
// inside its own network namespace.
const netnsAddrEnv = "KEDJA_TEST_NETNS_ADDR"

// netnsAddr is a non-loopback address (TEST-NET-style benchmarking range)
// put on the loopback device of a network namespace the test makes itself,
// so a relay can be "not on this machine's loopback" without any traffic
// leaving the namespace.
const netnsAddr = "198.18.0.1"

// nonLoopback returns an IPv4 address that is not a loopback address and on
// which the test can listen. The test, a top-level one, is run again inside
// a new network namespace (unshare -n) where that address exists; in that
// re-run nonLoopback returns the address and inside true. In the first run
// it waits for the re-run, reports its outcome and returns inside false: the
// caller then returns. Without root or unshare the test is skipped (or fails
// with KEDJA_REQUIRE_ALL=1). PostgreSQL is not reachable from the namespace:
// such tests use SQLite.
func nonLoopback(t *testing.T) (addr string, inside bool) {
	t.Helper()
	if a := os.Getenv(netnsAddrEnv); a != "" {
		return a, true
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		testenv.Missing(t, "network namespace", "no unshare command (util-linux)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		testenv.Missing(t, "network namespace", "no ip command (iproute2)")
	}
	if os.Geteuid() != 0 {
		testenv.Missing(t, "network namespace", "making one needs root")
	}
	if out, err := exec.Command(unshare, "-n", "true").CombinedOutput(); err != nil {
		testenv.Missing(t, "network namespace", "unshare -n: "+strings.TrimSpace(string(out)))
	}
	script := `ip link set lo up && ip addr add ` + netnsAddr + `/32 dev lo && exec "$@"`
	cmd := exec.Command(unshare, "-n", "sh", "-c", script, "sh",
		os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v", "-test.timeout=5m")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KEDJA_TEST_POSTGRES=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, netnsAddrEnv+"="+netnsAddr)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s in its own network namespace failed: %v\n%s", t.Name(), err, out)
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("%s did not run in its network namespace:\n%s", t.Name(), out)
	}
	t.Logf("ran in a network namespace with %s on its loopback device", netnsAddr)
	return "", false
}
