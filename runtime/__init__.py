"""Compiled OpenMP runtime of phylanx (installed as ``phylanx.runtime``)."""

from phylanx.runtime._executor import Executable, lower
from phylanx.runtime._executor import lower as lower_module
from phylanx.runtime._threads import get_num_threads as num_threads
from phylanx.runtime._threads import openmp_max_threads, set_num_threads

__all__ = ["Executable", "lower", "lower_module", "num_threads", "openmp_max_threads",
           "set_num_threads"]
