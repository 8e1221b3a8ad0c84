"""The training assignment: implement the stubs in model.py, batch.py, loss.py, decode.py and train.py, then run
``grade`` in this folder.

training 과제: model.py, batch.py, loss.py, decode.py, train.py의 빈 함수를 구현한 뒤 이 폴더에서 ``grade``를
실행하세요.
"""
