"""The lecture's worked example, shared by the tests: this patch under emboss sums to −106."""
import numpy as np

EMBOSS_PATCH = np.array([[162, 125, 108], [177, 127, 98], [191, 135, 80]], dtype=np.uint8)
EMBOSS_PATCH.setflags(write=False)
EMBOSS_SUM = -106  # 162·(−2) + 125·(−1) + 108·0 + 177·(−1) + 127 + 98 + 191·0 + 135 + 80·2
