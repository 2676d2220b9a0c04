package model

import (
	"fmt"
	"strings"

	"github.com/docker/go-units"
)

// HumanSize formats bytes as docker does (decimal units, 3 digits): the
// one size format of every output.
func HumanSize(n int64) string { return units.HumanSizeWithPrecision(float64(n), 3) }

// CompressedSize is HumanSize of a compressed size (compressed_bytes:
// layer blobs as a registry stores them), "?" when it is 0: not known,
// for layers the Docker engine stores uncompressed (a tar's length is
// not a compressed size).
func CompressedSize(n int64) string {
	if n == 0 {
		return "?"
	}
	return HumanSize(n)
}

// Count is n and noun, in the plural unless n is 1: "1 record", "3 records".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// ShortDigest is a digest's first 12 hex digits ("sha256:" dropped), as
// docker shows image IDs.
func ShortDigest(d string) string {
	d = strings.TrimPrefix(d, "sha256:")
	if len(d) > 12 {
		d = d[:12]
	}
	return d
}
