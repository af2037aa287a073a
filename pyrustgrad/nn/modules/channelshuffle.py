"""``nn.ChannelShuffle`` over ``nn.functional.channel_shuffle``. Must stay valid Python 3.6."""

from .. import functional as F
from .module import Module


class ChannelShuffle(Module):
    def __init__(self, groups):
        super(ChannelShuffle, self).__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self):
        return "groups=%s" % (self.groups,)
