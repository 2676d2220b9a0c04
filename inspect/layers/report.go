package layers

// Report is the JSON of `inspect --json`; its field names are a contract
// (README, "JSON shapes").
type Report struct {
	Image             string        `json:"image"`
	Digest            string        `json:"digest"`
	Layers            []ReportLayer `json:"layers"`
	SizeBytes         int64         `json:"size_bytes"`
	CompressedBytes   int64         `json:"compressed_bytes"`
	UserSizeBytes     int64         `json:"user_size_bytes"`
	Efficiency        float64       `json:"efficiency"`
	WastedBytes       int64         `json:"wasted_bytes"`
	UserWastedPercent float64       `json:"user_wasted_percent"`
	Inefficiencies    []Waste       `json:"inefficiencies"`
}

// ReportLayer is one layer of a Report.
type ReportLayer struct {
	Index           int    `json:"index"`
	Digest          string `json:"digest"`
	DiffID          string `json:"diff_id"`
	SizeBytes       int64  `json:"size_bytes"`
	CompressedBytes int64  `json:"compressed_bytes"`
	CreatedBy       string `json:"created_by"`
	Added           int    `json:"added"`
	Modified        int    `json:"modified"`
	Removed         int    `json:"removed"`
}

// Waste is one path whose copies the final image does not show.
type Waste struct {
	Path        string `json:"path"`
	Count       int    `json:"count"`
	WastedBytes int64  `json:"wasted_bytes"`
}

// NewReport is the report of the analysis a of image spec (digest).
func NewReport(spec, digest string, a *Analysis) *Report {
	out := &Report{Image: spec, Digest: digest, Layers: []ReportLayer{}, SizeBytes: a.SizeBytes,
		CompressedBytes: a.CompressedBytes, UserSizeBytes: a.UserSizeBytes, Efficiency: a.Efficiency,
		WastedBytes: a.WastedBytes, UserWastedPercent: a.WastedUserPercent, Inefficiencies: []Waste{}}
	for _, l := range a.Layers {
		out.Layers = append(out.Layers, ReportLayer{Index: l.Index, Digest: l.Digest.String(), DiffID: l.DiffID.String(),
			SizeBytes: l.SizeBytes, CompressedBytes: l.CompressedBytes, CreatedBy: l.CreatedBy,
			Added: l.Added, Modified: l.Modified, Removed: l.Removed})
	}
	for _, in := range a.Inefficiencies {
		out.Inefficiencies = append(out.Inefficiencies, Waste{Path: DisplayPath(in.Path), Count: in.Count, WastedBytes: in.WastedBytes})
	}
	return out
}
