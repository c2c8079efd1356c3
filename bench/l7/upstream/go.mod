module sluice.dev/bench/l7/upstream

go 1.26.0
