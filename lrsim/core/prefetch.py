"""``prefetch_line(array, row, column)``: ask the cache for the line holding
``array[row, column]`` (a 2-D array) ahead of writing it.

Recording a step writes rows of the history that lie in L3 or memory. The stores then
wait for their lines (a read for ownership), fill the core's store buffer and stall the
next step's arithmetic behind them. Asked for one step ahead (``llvm.prefetch`` with
write intent), the lines arrive while that step computes. A hint only: no value changes.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

_WRITE, _KEEP_IN_ALL_CACHES, _DATA = 1, 3, 1


@intrinsic
def prefetch_line(typingctx, array, row, column):
    """Prefetch for writing the cache line holding ``array[row, column]`` (2-D, C order)."""
    if not (isinstance(array, types.Array) and array.ndim == 2):
        return None
    signature = types.void(array, types.intp, types.intp)

    def codegen(context, builder, sig, args):
        value, i, j = args
        view = context.make_array(sig.args[0])(context, builder, value)
        pointer = cgutils.get_item_pointer(
            context, builder, sig.args[0], view, [i, j], wraparound=False
        )
        i8 = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        # the intrinsic is named for its pointer type: "ptr" (opaque, LLVM 15 on) or "i8*"
        name = "llvm.prefetch.p0" if str(i8) == "ptr" else "llvm.prefetch.p0i8"
        function = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [i8, i32, i32, i32]), name
        )
        flags = [ir.Constant(i32, flag) for flag in (_WRITE, _KEEP_IN_ALL_CACHES, _DATA)]
        builder.call(function, [builder.bitcast(pointer, i8), *flags])
        return context.get_dummy_value()

    return signature, codegen
