package datocms_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/datocms"
	"github.com/assetform/terraform-provider-datocms/internal/datocmstest"
)

// BenchmarkCreateUpload_JobDelay300ms measures a whole create (upload request, storage PUT,
// POST /uploads, job polling) against a server whose jobs take 300 ms, with the client's
// default poll schedule. The median shows how much the schedule adds on top of the job.
func BenchmarkCreateUpload_JobDelay300ms(b *testing.B) {
	srv := datocmstest.NewServer(b, datocmstest.WithToken(testToken), datocmstest.WithJobDelay(300*time.Millisecond), datocmstest.WithRateLimit(0))
	c, err := datocms.New(datocms.Config{Token: testToken, BaseURL: srv.URL()}) // default poll schedule
	if err != nil {
		b.Fatal(err)
	}
	path := writeFile(b, "bench.txt", []byte("benchmark payload"))
	ctx := context.Background()
	var durations []time.Duration
	for b.Loop() {
		start := time.Now()
		f, err := c.UploadFile(ctx, datocms.UploadFileInput{LocalPath: path, ExpectedSize: -1})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.CreateUpload(ctx, datocms.CreateUploadInput{Path: f.Path}); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	slices.Sort(durations)
	median := durations[len(durations)/2]
	if len(durations)%2 == 0 {
		median = (durations[len(durations)/2-1] + median) / 2
	}
	b.ReportMetric(float64(median.Microseconds())/1000, "median-ms/op")
}
