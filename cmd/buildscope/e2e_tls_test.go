package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startTLSBuilder starts the embedded builder of a new env on a loopback
// TCP address with mutual TLS, and returns the env, the address and the
// client's certificate flags.
func startTLSBuilder(t *testing.T) (e *env, addr string, clientFlags []string) {
	t.Helper()
	dir := t.TempDir()
	certs(t, dir)
	addr = fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	e = newColdEnv(t)
	e.vars = append(e.vars, fmt.Sprintf("BUILDSCOPE_BUILDKITD_FLAGS=--addr %s --tlscacert %s --tlscert %s --tlskey %s",
		addr, filepath.Join(dir, "ca.pem"), filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem")))
	e.mustRun(t, "builder", "start")
	return e, addr, []string{"--tlscacert", filepath.Join(dir, "ca.pem"), "--tlscert", filepath.Join(dir, "client.pem"), "--tlskey", filepath.Join(dir, "client-key.pem")}
}

// certs writes a CA and a server and a client certificate signed by it.
func certs(t *testing.T, dir string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "buildscope test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	write := func(name, typ string, der []byte) {
		os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
	}
	write("ca.pem", "CERTIFICATE", caDER)
	for i, who := range []string{"server", "client"} {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(i + 2)), Subject: pkix.Name{CommonName: who},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kder, _ := x509.MarshalECPrivateKey(key)
		write(who+".pem", "CERTIFICATE", der)
		write(who+"-key.pem", "EC PRIVATE KEY", kder)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// A tcp:// builder with mutual TLS: the build works with the certificates,
// and without them the error says how to pass them.
func TestTCPBuilderWithTLS(t *testing.T) {
	e, addr, tls := startTLSBuilder(t)
	// a one-step build: the example's 26 MB of random layers, built and
	// compressed by a cold builder, said nothing more about TLS
	b, r := e.build(t, append(append([]string{"--builder", addr}, tls...), flagDir(t, ""))...)
	if r.code != 0 {
		t.Fatalf("TLS build: %s", lastLines(r.stderr, 10))
	}
	if b.Builder != addr {
		t.Errorf("record builder %q, want %q", b.Builder, addr)
	}
	r = e.run(t, nil, "build", "--builder", addr, "../../assets/examples/multistage")
	if r.code == 0 || !strings.Contains(r.stderr, "cannot reach BuildKit at "+addr) || !strings.Contains(r.stderr, "--tlscacert") {
		t.Errorf("without certificates: exit %d %q", r.code, r.stderr)
	}
}
