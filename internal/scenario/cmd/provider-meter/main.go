// Command provider-meter stands in for terraform-provider-datocms in a dev_overrides
// directory: it runs the real provider (named by DATOCMS_METER_PROVIDER) as its child with
// the same arguments, standard streams and environment, and when the child exits appends
// one JSON line with what it cost (bytes read, peak memory, times) to the file named by
// DATOCMS_METER_LOG. It exits as the child did. `make bench-scale` uses it to measure the
// provider processes terraform starts; see scenario.RunMetered.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/assetform/terraform-provider-datocms/internal/scenario"
)

func main() {
	provider := os.Getenv(scenario.MeterProviderEnv)
	if provider == "" {
		fmt.Fprintf(os.Stderr, "provider-meter: %s must name the real provider binary\n", scenario.MeterProviderEnv)
		os.Exit(1)
	}
	rec, err := scenario.RunMetered(context.Background(), provider, os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "provider-meter: %v\n", err)
		os.Exit(1)
	}
	if log := os.Getenv(scenario.MeterLogEnv); log != "" {
		if err := scenario.AppendMeterRecord(log, rec); err != nil {
			fmt.Fprintf(os.Stderr, "provider-meter: %v\n", err)
		}
	}
	if rec.ExitCode < 0 {
		os.Exit(1)
	}
	os.Exit(rec.ExitCode)
}
