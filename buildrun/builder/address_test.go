package builder

import "testing"

// Builder addresses BuildKit's client cannot dial are refused with what
// to write instead, before any connection (http://host:port got "too many
// colons in address").
func TestCheckAddress(t *testing.T) {
	for addr, want := range map[string]string{
		"http://127.0.0.1:1234":   `builder address "http://127.0.0.1:1234": BuildKit speaks gRPC, not http; for a buildkitd listening on 127.0.0.1:1234 use tcp://127.0.0.1:1234 (with --tlscacert, --tlscert and --tlskey for TLS)`,
		"https://build.example":   `builder address "https://build.example": BuildKit speaks gRPC, not https; for a buildkitd listening on build.example use tcp://build.example:1234 (with --tlscacert, --tlscert and --tlskey for TLS)`,
		"ftp://x":                 `builder address "ftp://x": unknown scheme "ftp"; use one of unix://, tcp://, docker-container://, kube-pod://, nerdctl-container://, podman-container://, ssh://`,
		"tcp://127.0.0.1":         `builder address "tcp://127.0.0.1" has no port: use tcp://HOST:PORT (buildkitd has no default port)`,
		"unix://":                 `builder address "unix://" names no socket: use unix:///path/to/buildkitd.sock`,
		"tcp://[::1":              `builder address "tcp://[::1" is not a URL: missing ']' in host`,
		"tcp://127.0.0.1:1234":    "",
		"tcp://[::1]:1234":        "",
		"unix:///run/bk.sock":     "",
		"docker-container://bk":   "",
		"kube-pod://buildkitd-0":  "",
		"ssh://user@host":         "",
		"podman-container://bk-1": "",
	} {
		got := ""
		if err := CheckAddress(addr); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("%s:\n got %q\nwant %q", addr, got, want)
		}
	}
}
