"""Pure protocol functions: signing, sealing and opening. No I/O, no clocks, no randomness
except the fresh IV that `seal` draws when none is given."""
