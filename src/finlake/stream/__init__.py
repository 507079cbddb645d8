"""Real-time transaction monitoring: the same rules as the nightly compliance table, over a Kinesis stream.

Pure modules (standard library only, shipped in the monitoring Lambda's zip): `validation`, `rules`,
`monitor`, `handler`, `state`, `publisher`. Local runtime (moto server, replay, poller): `local`,
`replay`, `poller`, `command`.
"""
