"""The issue's worked example, a board of peppers, that several test modules fill a sorted set with."""

PEPPERS = {
    "foo": 1.0,
    "bar": 2.0,
    "baz": 42.0,
    "habanero": 68.0,
    "bam": 1000.0,
    "burrito": 9000.0,
    "taco": 90210.0,
    "jalapeno": 1e6,
}
