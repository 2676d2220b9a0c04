package advice

import (
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/dockerfile"
)

func TestAdvise(t *testing.T) {
	const base = "FROM busybox AS app\n"
	for _, tc := range []struct {
		name       string
		dockerfile string
		args       map[string]string
		facts      ContextFacts
		steps      []model.Step // of stage app
		want       []model.Advice
	}{{
		name:       "install after the whole context is copied",
		dockerfile: base + "WORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n",
		facts:      ContextFacts{Dockerignore: true},
		steps:      []model.Step{{Line: 4, Started: at(0), Completed: at(2500 * time.Millisecond)}},
		want:       []model.Advice{{Rule: ManifestsFirst, Line: 4, CostSeconds: 2.5, Message: "after line 3 copied the whole context"}},
	}, {
		name:       "manifests first: no advice",
		dockerfile: base + "COPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n",
		facts:      ContextFacts{Dockerignore: true},
	}, {
		name:       "a file only the next RUN reads",
		dockerfile: base + "COPY deps.txt ./\nRUN grep -v '^#' deps.txt > /list\nCMD [\"/bin/sh\"]\n",
		facts:      ContextFacts{Dockerignore: true},
		steps:      []model.Step{{Line: 2, SizeBytes: ptr(int64(4096))}},
		want:       []model.Advice{{Rule: BindMount, Line: 2, CostBytes: 4096, Message: "deps.txt is read only by the RUN at line 3"}},
	}, {
		name:       "a copied file used again later is not single-use",
		dockerfile: base + "COPY run.sh ./\nRUN chmod +x run.sh\nCMD [\"./run.sh\"]\n",
		facts:      ContextFacts{Dockerignore: true},
	}, {
		name:       "secrets through ENV and ARG",
		dockerfile: base + "ENV API_TOKEN=abc123\nARG DB_PASSWORD\nRUN ./migrate\nARG PLAIN=1\n",
		args:       map[string]string{"DB_PASSWORD": "hunter2"},
		facts:      ContextFacts{Dockerignore: true},
		want: []model.Advice{
			{Rule: SecretLeak, Line: 2, Message: "leak: ENV API_TOKEN"},
			{Rule: SecretLeak, Line: 3, Message: "leak: ARG DB_PASSWORD has a value and the RUN at line 4"},
		},
	}, {
		name:       "a secret ARG with no value leaks nothing",
		dockerfile: base + "ARG DB_PASSWORD\nRUN ./migrate\n",
		facts:      ContextFacts{Dockerignore: true},
	}, {
		name:       "no .dockerignore, .git copied with the whole context",
		dockerfile: base + "COPY . /src\n",
		facts:      ContextFacts{Unneeded: map[string]int64{".git": 5_000_000, "node_modules": 1_000_000}},
		want:       []model.Advice{{Rule: Dockerignore, CostBytes: 6_000_000, Message: ".git, node_modules (6MB) no image needs"}},
	}, {
		name:       "no .dockerignore, nothing to ignore",
		dockerfile: base + "COPY a.txt /\n",
		want:       []model.Advice{{Rule: Dockerignore, Message: "add one"}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := dockerfile.ParseFor("Dockerfile", []byte(tc.dockerfile), tc.args, dockerfile.AutoArgs{})
			if err != nil {
				t.Fatal(err)
			}
			b := &model.Build{BuildArgs: tc.args, Stages: []model.Stage{{Name: "app", Steps: tc.steps}}}
			got := Advise(plan, b, tc.facts)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d pieces of advice, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				g := got[i]
				if g.Rule != w.Rule || g.Line != w.Line || g.CostBytes != w.CostBytes || g.CostSeconds != w.CostSeconds || !strings.Contains(g.Message, w.Message) {
					t.Errorf("advice %d: %+v\nwant %+v (message containing %q)", i, g, w, w.Message)
				}
			}
		})
	}
}

func at(d time.Duration) *time.Time {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(d)
	return &t
}

func ptr[T any](v T) *T { return &v }
