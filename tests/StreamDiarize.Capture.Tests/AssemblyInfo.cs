// Capture tests run one at a time: some set PULSE_SERVER in the native environment, which libpulse reads process-wide.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
