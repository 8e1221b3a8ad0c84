# exercise: PositionwiseFeedForward
# diagnosis: activation_placement
# source: https://github.com/ZZZZ-HH/YiDong-KuaiRand/blob/39db7ff882d0627f2b68e77e7dedcaf39ec46504/TransformerEncoder/Feed_Forward.py
# kind: homework
# bug: the feed-forward uses nn.GELU() and has no dropout at all (the constructor takes no p)
# file: layers.py
class PositionwiseFeedForward(nn.Module):
    def __init__(self, d_model, d_ff, dropout=0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.activation = nn.GELU()

    def forward(self, x):
        return self.linear2(self.activation(self.linear1(x)))
