# exercise: PositionwiseFeedForward
# diagnosis: dropout_location
# source: https://github.com/tensorflow/swift-models/issues/104 (tensorflow/swift-models#104)
# reported: the reporter expected the feed-forward's dropout as its last operation (dense1 -> dense2 -> dropout, the BERT placement) rather than between the two dense layers (the original Transformer placement)
# file: layers.py
class PositionwiseFeedForward(nn.Module):
    def __init__(self, d_model, d_ff, dropout=0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.linear2(torch.relu(self.linear1(x))))
